"""话术向导 (Script Guide): the project package, in layers.

`core` (pure rules: script, identity, materials, summary, risk) ← `presentation`
(what each channel shows) and `services` (database, risk service, importer,
packets) ← `integration` (Rasa and Sanic: servers, channels, HTTP routes, tracker
store) ← `ops` (command line, launcher, training). `nlu` is the sentence model and
its Rasa component; `trainer` the trainers' tools; `settings` reads every
environment variable. Each package's docstring says what it may import.
"""
