# Private to this collection: one sub-package per vendor (data sheet, driver, control), found by catalog/registry.py.
