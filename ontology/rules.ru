# Rules of the kg ontology that OWL 2 RL cannot state: SPARQL 1.1 Update, run by kg.reason.reasoning after the
# OWL 2 RL closure and again until nothing changes (both reasoners run this file as it is: rdflib for owlrl's
# path, Oxigraph for the fast path). Each rule reads only the default graph and only adds triples.
#
# Which organisations are military alliances is data (kg:MilitaryAlliance, from Wikidata's P31 classes), never
# a list here. Each rule excludes self-pairs: the OWL 2 RL way, a property chain memberOf ∘ hasMember, would also
# make every member its own co-member and ally.

PREFIX kg: <https://w3id.org/kg-news/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>

# co-membership: two different states that are members of the same organisation (any organisation: the UN, the SCO…)
INSERT { ?state kg:coMemberOf ?other }
WHERE {
  ?state kg:memberOf ?organisation .
  ?other kg:memberOf ?organisation .
  ?state rdf:type kg:State .
  ?other rdf:type kg:State .
  FILTER (?state != ?other)
} ;

# alliance: two different states that are members of the same military alliance (NATO, the CSTO…)
INSERT { ?state kg:alliedWith ?other }
WHERE {
  ?organisation rdf:type kg:MilitaryAlliance .
  ?state kg:memberOf ?organisation .
  ?other kg:memberOf ?organisation .
  ?state rdf:type kg:State .
  ?other rdf:type kg:State .
  FILTER (?state != ?other)
} ;

# a place located (transitively) in a state belongs to that state
INSERT { ?place kg:country ?state }
WHERE {
  ?place kg:locatedIn ?state .
  ?state rdf:type kg:State .
  FILTER (?place != ?state)
} ;

# an event happens in the country of its location…
INSERT { ?event kg:country ?state }
WHERE {
  ?event kg:location ?place .
  ?place kg:country ?state .
} ;

# …or in its location itself, when that is a state
INSERT { ?event kg:country ?state }
WHERE {
  ?event kg:location ?state .
  ?state rdf:type kg:State .
}
