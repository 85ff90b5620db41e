# Private to this collection: the Yealink vendor driver.
