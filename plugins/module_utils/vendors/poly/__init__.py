# Private to this collection: the Poly vendor driver.
