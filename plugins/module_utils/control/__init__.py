# Private to this collection: driving phones (reboot, resync, info, screenshot) from the controller.
