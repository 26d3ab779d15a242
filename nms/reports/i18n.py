"""Bilingual labels of the reports (zh-CN default, en).

Why a table and not gettext: the bulletin has a few dozen fixed labels, every output format (PDF,
XLSX, CSV headers) must use the same words, and a test checks that each key has both languages.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh_CN", "en"]
LANGS: tuple[str, ...] = ("zh_CN", "en")

#: key -> (zh-CN, en)
LABELS: dict[str, tuple[str, str]] = {
    "title": ("网络运行月度报告", "Network Operations Monthly Report"),
    "title_period": ("网络运行报告", "Network Operations Report"),
    "subtitle": ("设备与链路可用性通报", "Device and link availability bulletin"),
    "issuer": ("信息中心", "Information Center"),
    "period": ("统计周期", "Period"),
    "scope": ("统计范围", "Scope"),
    "generated": ("生成时间", "Generated"),
    "partial": ("（截至生成时，周期未结束）", " (period not finished: up to generation time)"),
    "scope_city": ("全市", "Whole city"),
    "scope_county": ("县/区", "County"),
    "scope_township": ("乡镇/街道", "Township"),
    "scope_device": ("设备", "Device"),
    "summary": ("一、总体情况", "1. Summary"),
    "by_county": ("二、各县/区可用性排名", "2. Availability by county"),
    "by_township": ("三、各乡镇/街道可用性排名", "3. Availability by township"),
    "worst_devices": ("四、可用性最低的设备", "4. Devices with the lowest availability"),
    "worst_links": ("五、可用性最低的链路", "5. Links with the lowest availability"),
    "outages": ("六、中断明细", "6. Outage details"),
    "alarms": ("七、告警统计", "7. Alarm statistics"),
    "audit": ("八、基线核查情况", "8. Baseline audit status"),
    "rules": ("九、统计口径", "9. How the figures are computed"),
    "sheet_summary": ("概要", "Summary"),
    "sheet_counties": ("县区排名", "Counties"),
    "sheet_townships": ("乡镇排名", "Townships"),
    "sheet_devices": ("设备", "Devices"),
    "sheet_links": ("链路", "Links"),
    "sheet_outages": ("中断明细", "Outages"),
    "sheet_alarms": ("告警统计", "Alarms"),
    "sheet_audit": ("基线核查", "Audit"),
    "charts": ("可用性趋势", "Availability trend"),
    "daily_chart": ("每日可用性（%）", "Daily availability (%)"),
    "county_chart": ("各县/区可用性（%）", "Availability by county (%)"),
    "not_available": ("暂无数据（相关模块未启用）", "Not available (module not installed)"),
    "none": ("无", "None"),
    "rank": ("排名", "Rank"),
    "name": ("名称", "Name"),
    "code": ("编码", "Code"),
    "county": ("县/区", "County"),
    "township": ("乡镇/街道", "Township"),
    "site": ("站点", "Site"),
    "device": ("设备", "Device"),
    "role": ("类型", "Role"),
    "link": ("链路", "Link"),
    "tier": ("层级", "Tier"),
    "devices": ("设备数", "Devices"),
    "links": ("链路数", "Links"),
    "availability": ("可用率", "Availability"),
    "availability_pct": ("可用率(%)", "Availability (%)"),
    "target_pct": ("目标(%)", "Target (%)"),
    "target": ("目标", "Target"),
    "verdict": ("达标情况", "SLA"),
    "met": ("达标", "met"),
    "missed": ("未达标", "missed"),
    "indeterminate": ("数据不足", "indeterminate"),
    "n/a": ("不适用", "n/a"),
    "missed_count": ("未达标数", "Missed"),
    "period_h": ("统计时长(h)", "Period (h)"),
    "maintenance_h": ("维护时长(h)", "Maintenance (h)"),
    "outage_min": ("中断时长(分钟)", "Outage (min)"),
    "parent_down_min": ("上级中断(分钟)", "Parent down (min)"),
    "unknown_min": ("无数据(分钟)", "No data (min)"),
    "coverage_pct": ("数据覆盖率(%)", "Data coverage (%)"),
    "failures": ("中断次数", "Failures"),
    "mttr_min": ("平均修复时间MTTR(分钟)", "MTTR (min)"),
    "mtbf_h": ("平均无故障时间MTBF(h)", "MTBF (h)"),
    "start": ("开始", "Start"),
    "end": ("结束", "End"),
    "duration_min": ("时长(分钟)", "Duration (min)"),
    "cause": ("原因", "Cause"),
    "subject": ("对象", "Subject"),
    "kind": ("类别", "Kind"),
    "source": ("数据来源", "Source"),
    "began_before": ("周期前已中断", "began before period"),
    "ongoing": ("周期末仍中断", "still down at end"),
    "raised": ("新增告警", "Raised"),
    "cleared": ("已清除", "Cleared"),
    "open_at_end": ("期末未清除", "Open at end"),
    "mean_clear_min": ("平均清除时长(分钟)", "Mean time to clear (min)"),
    "severity": ("级别", "Severity"),
    "count": ("数量", "Count"),
    "other": ("其他", "Other"),
    "audit_open": ("期末未整改基线问题", "Baseline findings open at end"),
    "audit_devices": ("存在基线问题的设备", "Devices with open findings"),
    "audit_raised": ("本期新发现", "Found in period"),
    "audit_cleared": ("本期已整改", "Fixed in period"),
    "audit_last_seen": ("最近一次发现时间", "Last seen failing"),
    "audit_source": ("依据基线核查（BL-*）告警统计。", "From the baseline-audit (BL-*) alarms."),
    "check": ("检查项", "Check"),
    "no_outage": ("本周期内无中断。", "No outage in this period."),
    "tier_core": ("核心", "core"),
    "tier_county": ("县级", "county"),
    "tier_township": ("乡镇级", "township"),
    "cause_timeout": ("设备无响应（超时）", "device not answering (timeout)"),
    "cause_unreachable": ("设备不可达", "device unreachable"),
    "cause_parent_down": ("上级设备中断", "parent device down"),
    "cause_down": ("端口中断", "port down"),
    "cause_lowerLayerDown": ("下层链路中断", "lower layer down"),
    "cause_other": ("中断", "down"),
    "source_interface": ("端口状态", "port status"),
    "source_reachability": ("设备可达性", "device reachability"),
    "source_none": ("无数据", "no data"),
    "kind_device": ("设备", "device"),
    "kind_link": ("链路", "link"),
    "maint_missing": ("维护窗口数据不可用，未扣除维护时间。",
                      "Maintenance windows not available: no maintenance time was excluded."),
    "loader_screened": (
        "数据量大，按小时预筛：全部可达且轮询数足够的小时直接计为正常，其余时段逐次轮询计算（见统计口径）。",
        "Large data volume: hours in which every poll answered and enough polls were made were "
        "counted as up from hourly totals; all other time was computed poll by poll."),
    "summary_line": (
        "本周期{scope}共纳管设备{devices}台、链路{links}条。设备总体可用率{availability}，"
        "目标{target}；{missed}台设备未达标，{indeterminate}台数据不足；共发生中断{failures}次，"
        "累计中断{outage}，平均修复时间{mttr}。链路总体可用率{link_availability}。",
        "In this period {scope} had {devices} devices and {links} links under management. "
        "Overall device availability was {availability} against a target of {target}; "
        "{missed} device(s) missed the target and {indeterminate} had too little data to judge. "
        "There were {failures} outage(s), {outage} in total, mean time to repair {mttr}. "
        "Overall link availability was {link_availability}."),
    "rules_text": (
        "可用率 =（统计时长 － 维护时长 － 自身中断时长）÷（统计时长 － 维护时长）。"
        "设备以每次轮询结果为准：从首次轮询失败起计为中断，直至下一次轮询成功；"
        "轮询间隔超过{gap}倍轮询周期的时段记为“无数据”，不计为中断，单独列出。"
        "上级设备中断期间的下级中断记为“上级中断”，单独列出，不计入下级设备中断。"
        "已批准的维护窗口时段不计入统计时长，重叠窗口只计一次。"
        "达标判定：可用率低于目标为未达标；即使将无数据时段全部计为中断仍不低于目标为达标；其余为数据不足。"
        "县/区、乡镇及全市可用率按设备时长加权汇总。MTTR = 中断时长 ÷ 中断次数；MTBF = 正常运行时长 ÷ 中断次数。"
        "时间均为{tz}时间。",
        "Availability = (period - maintenance - own outage) ÷ (period - maintenance). "
        "A device is down from its first failed poll until the next good one; a gap between polls "
        "longer than {gap}× the poll interval is unknown time, reported apart and not counted as "
        "outage. Down time while the parent device is down is parent-down time, reported apart "
        "and not counted against the child. Approved maintenance windows are excluded from the "
        "period, overlaps once. SLA: missed when availability is below the target; met when it "
        "stays at or above the target even counting all unknown time as outage; otherwise "
        "indeterminate. County, township and city figures are device-time weighted. "
        "MTTR = outage ÷ failures; MTBF = up time ÷ failures. Times are in {tz}."),
}


def t(key: str, lang: str = "zh_CN") -> str:
    """The label ``key`` in ``lang`` (zh_CN or en); an unknown key is returned as itself."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def cause_label(cause: str, lang: str = "zh_CN") -> str:
    """Readable cause of an outage (poll status or port status)."""
    key = f"cause_{cause}"
    return t(key, lang) if key in LABELS else f"{t('cause_other', lang)} ({cause})"
