"""PhoneFleet provisioning service: serves phones their configs over HTTP(S) and TFTP, journals every
request and knows each phone's status. Run ``python -m phonefleet_service --help``."""
