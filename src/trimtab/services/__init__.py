"""Use cases: the only layer that combines the domain, the store and the brokers.

Every entrypoint (API, CLI, worker) builds one ``context.AppContext`` with
``trimtab.bootstrap.build_context`` and calls these modules with it:

- ``rebalance``: ``check_rebalance_drift`` (the classic callable), ``resume_unfinished_runs``
- ``trades``: ``execute_trade``
- ``allocations``, ``policy``, ``risk``, ``runs``, ``users`` (accounts and API tokens)
- ``broker_accounts``: each user's broker; ``demo``: ``seed_demo_user``
- ``portfolio``: the account as the page shows it; ``planning``: plans from snapshot files
- ``events`` (in-process) and ``events_postgres`` (LISTEN/NOTIFY): what the services publish
"""
