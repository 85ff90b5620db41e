# Private to this collection: the Qtech vendor driver.
