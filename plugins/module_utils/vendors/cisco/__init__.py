# Private to this collection: the Cisco enterprise vendor driver.
