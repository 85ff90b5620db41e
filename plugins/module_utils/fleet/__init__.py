# Private to this collection: the PhoneFleet domain core (fleet model, validation, CSV).
# Modules, plugins and the provisioning service import it; it makes no stability promise.
