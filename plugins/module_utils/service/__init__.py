# Private to this collection: the provisioning service's core (request recognition, ...), no HTTP in it.
