# Private to this collection: the Fanvil vendor driver.
