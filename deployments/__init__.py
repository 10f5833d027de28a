"""How the system is started: the command line, bootstrapping, serving the deployments."""
