"""The interfaces over the library: the `kg` command, the Python API (`kg.open`), the notebook magics and plots."""
