"""What the simulator knows of each vendor's real phones, one module per vendor.

Written from the vendors' own documents (each rule cites its source; unverified facts say so), never
from the collection's drivers: a simulator that takes its facts from the driver agrees with it by
construction and cannot catch a driver that forgets a setting.
"""
