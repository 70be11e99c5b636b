"""`kg serve`: a read-only SPARQL endpoint over a build folder's store: the Oxigraph engine, supervised, behind a
proxy that checks requests and limits answers."""
