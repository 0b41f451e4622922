"""The incremental engine: the reference pipeline, run again and again, doing only what
changed (a cache of parsed records, recorded reads, worker processes, work done ahead).
It gives the reference's bytes; nothing in the pipeline imports it."""
