# Private to this collection: the Snom vendor driver.
