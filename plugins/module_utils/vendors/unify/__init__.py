# Private to this collection: the Unify vendor driver.
