# Private to this collection: the Grandstream vendor driver.
