from trimtab.domain.risk import RiskStatus, trading_block_reason


def test_no_flag_means_no_block() -> None:
    assert trading_block_reason(RiskStatus(), RiskStatus()) is None


def test_each_flag_blocks_with_its_own_reason() -> None:
    assert trading_block_reason(RiskStatus(trading_enabled=False)) == "Trading is disabled"
    assert trading_block_reason(RiskStatus(drawdown_recovery=True)) == (
        "Drawdown recovery mode is on"
    )
    assert trading_block_reason(RiskStatus(kill_switch=True, reason="desk halt")) == (
        "Kill switch is on: desk halt"
    )


def test_system_row_is_read_before_the_users() -> None:
    system = RiskStatus(kill_switch=True, reason="ops")
    user = RiskStatus(trading_enabled=False, reason="mine")
    assert trading_block_reason(system, user) == "Kill switch is on: ops"
    assert trading_block_reason(RiskStatus(), user) == "Trading is disabled: mine"
