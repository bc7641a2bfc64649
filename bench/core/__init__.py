"""The leaf core: what every other folder stands on, importing nothing of the project itself.

Errors a user can cause (``errors``), logging (``log``), seeded generators (``rng``), atomic
writes (``atomic``), the declaration of a run setting (``settings``) and the run's settings
themselves (``config``), and facts about the machine (``environment``, ``speed``).
``domains/`` and ``encoders/`` may import from here and from nowhere else in bench/.
"""
