"""The library of records and stage 2b, resolve: references checked across records, and
every derived index (mentions both ways, related records, the timeline, tags) made once."""
