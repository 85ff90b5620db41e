# Private to this collection: publishing rendered files onto a provisioning server's web root.
