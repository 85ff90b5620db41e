# Private to this collection: the Cisco MPP vendor driver.
