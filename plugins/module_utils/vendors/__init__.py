# Private to this collection: vendor drivers, one sub-package per vendor, registered in registry.py.
