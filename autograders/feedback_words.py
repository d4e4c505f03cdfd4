"""The grader's own sentences to a trainee, in each language a unit is taught in.

Why one table: evaluators word their verdicts in the trainee's language (`EvalContext.lang`),
but a cell can also end with words of the framework itself (a notebook that stopped early,
a test cell that was edited, an evaluator that failed, a cell that waits for the
instructor). A Chinese reader of 104917L3 got those in English. Each sentence here says
what happened and what to do, in both languages; English is the fallback for any
language without a row.
"""

from __future__ import annotations

ENGLISH = "en"

SENTENCES: dict[str, dict[str, str]] = {
    "points": {"en": "[{status}] {points:g}/{max_points:g} points. {message}",
               "zh-Hant": "[{status}] {points:g}/{max_points:g} 分。{message}"},
    "not_graded": {"en": "[not graded]", "zh-Hant": "[未評分]"},
    "not_run": {"en": "not run: the notebook stopped earlier (in cell {where})",
                "zh-Hant": "未有執行：筆記本在較早的儲存格（{where}）已停止"},
    "cannot_grade": {"en": "this cell cannot be graded ({why}); the instructor has been told",
                     "zh-Hant": "這一格無法評分（{why}）；已通知導師"},
    "stopped_before": {
        "en": "test cell {gid} stopped with {raised} before your answer was handed in; fix "
              "the cells above it so this test can run",
        "zh-Hant": "測試儲存格 {gid} 在交回答案前因 {raised} 停止；請修正它上面的儲存格，讓這個測試"
                   "可以執行"},
    "not_answered": {
        "en": "not answered yet: the answer cell above test cell {gid} still holds the words it "
              "was released with; put your answer there (the line the view shows) and run it",
        "zh-Hant": "尚未作答：測試儲存格 {gid} 上面的答案儲存格仍是發放時的文字；"
                   "請在那裏填上你的答案（視窗顯示的那一行）並執行"},
    "hook_detected": {
        "en": "test cell {gid} did not run as written, so your answer could not be collected; "
              "remove anything that changes how cells run and submit again",
        "zh-Hant": "測試儲存格 {gid} 沒有按原樣執行，所以無法收取你的答案；"
                   "請刪除任何改變儲存格執行方式的內容，然後再提交"},
    "submit_refused": {
        "en": "your answer cannot be graded: submit() refused it as plain data (for example an "
              "object of your own class, or too large); run this test cell yourself to see why, "
              "fix it and submit again",
        "zh-Hant": "你的答案無法評分：submit() 不接受它（例如是你自訂類別的物件，或資料太大）；"
                   "請自行執行這個測試儲存格查看原因，修正後再提交"},
    "not_plain": {"en": "your answer was not plain data",
                  "zh-Hant": "你的答案不是一般資料（文字、數字、清單或字典）"},
    "not_checked": {
        "en": "your answer could not be checked automatically; the instructor will review it",
        "zh-Hant": "你的答案未能自動檢查；導師會親自審閱"},
    "manual": {"en": "waits for the instructor's grade", "zh-Hant": "等待導師評分"},
    "tampered": {
        "en": "{message}",
        "zh-Hant": "測試儲存格 {gid} 被改動過；測試儲存格必須保持發放時的樣子"
                   "（已還原，此格 0 分）"},
    "deleted": {
        "en": "{message}",
        "zh-Hant": "提交的筆記本缺少測試儲存格 {gid}；測試儲存格不可刪除"},
}

STATUS_WORDS: dict[str, dict[str, str]] = {
    "zh-Hant": {"passed": "通過", "partial": "部分正確", "failed": "未通過", "manual": "待導師評分",
                "not_run": "未執行", "error": "錯誤", "hook_detected": "測試被改動",
                "tampered": "測試被改動", "deleted": "測試被刪除"},
}


def say(key: str, lang: str | None, **fields: object) -> str:
    """The sentence `key` in `lang` (English when that language has none), filled in."""
    row = SENTENCES[key]
    return row.get(lang or ENGLISH, row[ENGLISH]).format(**fields)


def status_word(status: str, lang: str | None) -> str:
    """A cell status as the trainee's language names it (the code itself in English)."""
    return STATUS_WORDS.get(lang or ENGLISH, {}).get(status, status)
