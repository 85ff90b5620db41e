# Private to this collection: the Avaya vendor driver.
