"""Keyword lists: what each department of the demo company handles, and what each kind of
request is about, in the words people use when they file one.

They serve twice: as the fallback while a department has too little history for the model
(`classifier.suggest`), and as a prior the model is trained with (each keyword is one
more training example of its label, see `classifier.train`).

Written from what the departments do, by the same hand as the labelled requests in
`data/` (after them; phrases copied from them were taken out again): the keyword figures
measured on those requests are therefore on the optimistic side. (The departments' English
names, finance, sales, legal…, were added with the second batch of requests.) A keyword matches
anywhere in the text's normal form (case-folded, simplified characters); a Latin keyword
(`vpn`, `hr`) only as a whole word, so that "it" does not match inside "submit". No
keyword belongs to two departments; a text's department is the one it holds most keywords
of.

A company whose departments differ from the demo's edits these lists per department; the
labels here are the demo company's top-level departments (`org/demo.py`): a request goes
to a department, and whom in it (a sub-department, a person) is decided after.
"""

from __future__ import annotations

from collections.abc import Mapping

DEPARTMENT_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    # Administration, legal and the general manager's office.
    "总经办": (
        "总经办", "总经理", "周总", "行政", "前台", "法务", "律师", "律师函", "法律",
        "公章", "用印", "盖章", "骑缝章", "刻章", "印章", "法人章", "营业执照", "资质",
        "授权书", "委托书", "邀请函", "会议室", "多功能厅", "接待室", "访客", "商务车",
        "公司车", "用车", "车位", "门禁", "工位", "办公用品", "墨盒", "物业", "空调",
        "绿植", "食堂", "名片", "快递", "租约", "租赁合同", "房东", "董事会", "经营例会",
        "会议纪要", "消防", "保密协议", "nda", "msa", "战略合作", "排他", "违约金",
        "独家", "装修", "年会", "组织架构", "立项", "特批", "legal", "admin",
    ),
    # Brand, content, events, public relations, market research, leads.
    "市场部": (
        "市场部", "品牌", "logo", "vi", "宣传", "宣传册", "折页", "海报", "易拉宝",
        "展架", "展会", "展位", "参展", "发布会", "公众号", "推文", "微博", "抖音",
        "视频号", "小红书", "直播", "官网", "新闻稿", "媒体", "采访", "公关", "舆情",
        "广告", "投放", "推广", "seo", "品牌词", "kol", "竞品", "市场调研", "调研报告",
        "白皮书", "案例", "素材", "设计", "ppt模板", "leads", "获客", "营销", "短信",
        "礼品", "one-pager", "演讲", "峰会", "百科", "双十一", "618", "天猫", "直通车",
        "积分", "命名", "landing page", "答谢会", "marketing",
    ),
    # Customers, prices, orders, contracts with customers, channels.
    "销售部": (
        "销售部", "销售总监", "客户经理", "大客户", "报价", "询价", "定价", "价格",
        "折扣", "催款", "催收", "续约", "拜访", "商机", "线索", "crm", "投标", "标书",
        "截标", "招标", "代理商", "代理", "渠道", "经销商", "华东区", "华南区", "样机",
        "试用", "poc", "提成", "销量", "预测", "oem", "海外业务", "业绩证明",
        "大单", "签单", "抢单", "跟进", "分期", "付款条款",
        "价格保护", "sales", "quotation",
    ),
    # Product development, and the company's IT (run by the back-end group's operations).
    "研发部": (
        "研发", "开发", "技术部", "it", "bug", "迭代", "版本", "上线", "接口", "api",
        "系统", "app", "小程序", "闪退", "白屏", "报错", "登录", "登陆", "账号", "帐号",
        "密码", "vpn", "wifi", "网络", "电脑", "笔记本", "laptop", "显示器", "打印机",
        "投屏", "邮箱", "outlook", "office", "企业微信", "oa", "jira", "confluence",
        "gitlab", "服务器", "数据库", "备份", "导出", "报表", "权限", "测试环境",
        "压测", "部署", "k8s", "病毒", "钓鱼邮件", "蓝屏", "重装", "软件", "license",
        "驱动", "激活", "加密", "看板", "驾驶舱", "验证码", "photoshop",
        "figma", "engineering",
    ),
    # After-sales service: tickets, the hotline, repairs, returns, satisfaction.
    "客服部": (
        "客服", "售后", "工单", "热线", "400", "投诉", "退货", "换货", "退换货",
        "维修", "返修", "送修", "保修", "延保", "过保", "维保", "上门", "安装",
        "技术支持", "回访", "满意度", "nps", "知识库", "话术", "faq", "常见问题",
        "操作手册", "使用培训", "值班", "排班", "坐席", "呼叫中心", "召回", "差评",
        "备用机", "黑猫投诉", "服务报告", "ticket", "escalate", "customer service",
        "after-sales",
    ),
    # Money: budgets, payments, invoices, reimbursement, tax, accounts.
    "财务部": (
        "财务", "会计", "出纳", "报销", "发票", "开票", "专票", "普票", "抬头", "税",
        "个税", "税号", "纳税人", "付款", "打款", "转账", "电汇", "借款", "备用金",
        "押金", "退款", "对账", "对账单", "账期", "回款", "预算", "budget", "费用",
        "经费", "成本中心", "毛利", "审计报告", "财务报表", "固定资产", "差旅",
        "住宿标准", "行程单", "用友", "u8", "金蝶", "开户行", "货款", "行权", "含税",
        "超支", "追加", "调剂", "finance", "accounting",
    ),
    # People: hiring, leaving, pay, attendance, leave, training, performance, certificates.
    "人力资源部": (
        "人力", "人事", "hr", "招聘", "面试", "候选人", "offer", "jd", "hc", "猎头",
        "背调", "内推", "入职", "离职", "转正", "试用期", "调岗", "实习", "实习生",
        "校招", "培训", "绩效", "kpi", "okr", "考核", "薪资", "薪酬", "工资", "工资条",
        "加班费", "调休", "年假", "请假", "婚假", "产假", "病假", "考勤", "打卡", "社保",
        "公积金", "在职证明", "收入证明", "离职证明", "劳动合同", "员工手册", "体检",
        "团建", "员工关系", "职级", "岗位", "人才盘点", "工牌", "employment",
        "certificate", "human resources",
    ),
    # Manufacturing: scheduling, purchasing, quality, warehouse, equipment.
    "生产部": (
        "生产部", "生产", "产线", "生产线", "车间", "排产", "插单", "交期", "交货",
        "发货", "库存", "仓库", "出入库", "采购", "供应商", "来料", "iqc", "质检",
        "质量", "不良", "8d", "批次", "样品", "打样", "bom", "元器件", "芯片",
        "原材料", "工艺", "装配", "可制造性", "试产", "产能", "设备", "工装", "叉车",
        "托盘", "货架", "认证", "ce", "rohs", "iso9001", "安全生产", "出厂检验",
        "合格证", "包装", "外壳", "老化测试", "mes", "rma", "production",
        "procurement", "purchasing", "warehouse",
    ),
}

TYPE_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "需求评审": (
        "需求", "评审", "review", "方案", "原型", "评估", "排期", "迭代", "工作量",
        "可行性", "新功能", "功能", "规划", "roadmap",
    ),
    "客户投诉升级": (
        "投诉", "不满", "生气", "升级处理", "赔偿", "道歉", "差评", "举报", "12315",
        "黑猫", "complain", "complained", "escalate", "态度",
    ),
    "预算审批": (
        "预算", "追加", "超支", "超预算", "经费", "特批", "立项", "budget", "调剂",
        "费用申请", "审批预算",
    ),
    "资源借用": (
        "借用", "借调", "借一下", "支援", "归还", "还回来", "用一下",
    ),
    "合同会签": (
        "合同", "会签", "协议", "条款", "签字", "nda", "msa", "补充协议", "违约",
        "contract",
    ),
    "IT 支持": (
        "电脑", "vpn", "账号", "帐号", "密码", "邮箱", "打印机", "wifi", "网络", "蓝屏",
        "病毒", "软件", "激活", "登不上", "连不上", "投屏", "显示器", "笔记本", "laptop",
        "office", "outlook", "驱动", "it", "重置", "钓鱼邮件",
    ),
}

# What people call each department in a request (its name first): how `mentions.py` finds
# the department a request asks, and the one asking. A company's own department names are
# added to these by `requests.dispatching` (a department is always called by its name).
DEPARTMENT_NAMES: Mapping[str, tuple[str, ...]] = {
    "总经办": ("总经办", "总经理办公室", "总办", "行政", "法务", "前台"),
    "市场部": ("市场部", "市场"),
    "销售部": ("销售部", "销售"),
    "研发部": ("研发部", "研发", "技术部", "it", "运维"),
    "客服部": ("客服部", "客服", "售后"),
    "财务部": ("财务部", "财务"),
    "人力资源部": ("人力资源部", "人力资源", "人力", "人事", "hr"),
    "生产部": ("生产部", "生产", "采购", "仓库", "质检"),
}
