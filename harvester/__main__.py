from harvester.cli import entrypoint

entrypoint()
