# Private to this collection: rendering phone config files (context, keys, time zones, drivers' base).
