"""The labs of the French course, shipped inside the package: ``tinygrad-fr lab`` lists them and
``tinygrad-fr lab NAME`` runs one, from any folder (``examples/`` holds thin wrappers).

Each ``labN_*`` module has a ``main(argv=None, prog=None)``; :mod:`.common` holds what they
share, :mod:`.alice` the traced 2-2-1 network of Lab 0.
"""
