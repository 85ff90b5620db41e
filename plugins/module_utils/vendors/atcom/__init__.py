# Private to this collection: the Atcom vendor driver.
