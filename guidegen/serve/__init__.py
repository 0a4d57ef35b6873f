"""guidegen serve: ``build`` and ``batch`` as a local web page (see app.py for the routes).

``security`` checks every request, ``forms`` reads the two forms into the spec's options,
``jobs`` keeps the workshop jobs and their queue, ``worker`` is the process that builds one,
``pages`` renders the page's templates (``templates/serve/``) in the template sandbox.
Nothing here is imported by a command other than ``serve``, and ``serve --help`` imports none
of it.
"""
