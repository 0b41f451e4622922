"""The content model and loading: stage 1 (load) and 2a (validate).

``schema`` declares every kind and field; ``config`` reads ``site.toml``; ``load`` reads
content files into positioned YAML (``yamlpos``) and Markdown bodies; ``validate`` checks
one record at a time and finds its references (``links`` scans the raw Markdown).
"""
