"""The control surfaces of simulated phones: HTTP, SIP NOTIFY, SSH and Telnet, and their screenshots."""
