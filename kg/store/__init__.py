"""The store: the embedded Oxigraph store of a build folder, its writers, dumps and sort, the folder lock, atomic
commits of a build, and push to another triple store."""
