# Private to this collection: the vendor catalogue (data-sheet types and the registry), the ground floor.
# It imports nothing of fleet/, render/, publish/, service/ or control/; vendors fill it in (vendors/<v>/datasheet.py).
