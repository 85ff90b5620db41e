# Private to this collection: the job service's core (catalogue, job model, storage, runner), no HTTP in it.
