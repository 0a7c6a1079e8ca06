"""Use cases: the only layer that combines the domain, the store and the brokers.

Every entrypoint (API, CLI, worker) builds one ``context.AppContext`` with
``trimtab.bootstrap.build_context`` and calls these modules with it:

- ``rebalance``: ``check_rebalance_drift`` (the classic callable), ``resume_unfinished_runs``
- ``trades``: ``execute_trade``
- ``allocations``, ``policy``, ``risk``, ``runs``, ``users`` (accounts and API tokens)
- ``broker_accounts``: each user's broker; ``demo``: ``seed_demo_user``
- ``portfolio``: the account as the page shows it; ``planning``: plans from snapshot files
- ``events``: what the services publish, fanned out in-process (``store.shared_events``
  carries it between processes)

The database is reached only through ``ctx.store`` (``store.unit_of_work``): no module
here imports SQLAlchemy.
"""
