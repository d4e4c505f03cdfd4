"""Requirement ids of every unit of competency, transcribed from docs/units.md.

The catalogue that `crm-course check` validates unit.toml files against is embedded
here as data, so the check needs no Markdown parsing. It must match `docs/units.md`
(a test compares the ids); when one changes, change the other.
"""

from __future__ import annotations

# Unit code -> unit title.
UNIT_TITLES: dict[str, str] = {
    'ITCSCR304A': 'Build and maintain customer relationship by conducting periodic sales calls',
    'ITCSCR410A': 'Organise and review customer profile to acquire potential customers and add value to existing customers',  # noqa: E501
    'ITCSCR512A': 'Establish policies and guidelines for customer contact management including customer acquisition and retention programme',  # noqa: E501
    'ITCSCR516A': 'Identify procedure and processes to ensure customer perception of the company is consistently maintained and further enhanced',  # noqa: E501
    '104917L3': 'Manage Customer Relations (timepiece industry)',
}

# Unit code -> {requirement id (K*, P*, X*, AC-*) -> requirement text}.
REQUIREMENTS: dict[str, dict[str, str]] = {
    'ITCSCR304A': {
        'K1': 'Periodic contact is a fundamental means to sell and to keep the relationship.',
        'K2': (
            'Calls must be arranged in an orderly, tactful way to get the most from limited '
            'resources.'
        ),
        'K3': (
            "Stick to the company's guidelines and policies on customer contact and sales "
            'promotion.'
        ),
        'K4': (
            'Related legislation while calling existing/potential customers (privacy law; in '
            'Hong Kong the Personal Data (Privacy) Ordinance, including its direct-marketing '
            'consent rules).'
        ),
        'K5': 'Calls run over many channels and should be tailored per market segment.',
        'K6': 'Qualified staff with soft skills and product knowledge are the key success factor.',
        'K7': "Competitors' similar activities influence how effective our calls are.",
        'P1': (
            'Follow the established call mechanism (formats, frequencies, regulations) in '
            'every contact.'
        ),
        'P2': 'Conduct, record, report and follow up all calls regularly as planned.',
        'P3': 'Organise existing account information per market segment to find call prospects.',
        'P4': 'Leverage existing contacts and other sources to find new business contacts.',
        'P5': 'Assign suitable, qualified people (own staff or outsourcers) to the calls.',
        'P6': 'Allocate training, promotion material and marketing funds across channels/segments.',
        'P7': (
            'Record every call properly; analyse findings for satisfaction level and '
            'propensity to consume.'
        ),
        'P8': (
            'Evaluate the correlation between routine calls and relationship improvement; '
            'propose changes.'
        ),
        'P9': 'Make outsourcers perform like own staff, following guidelines and checklists.',
        'X1': 'Honest best effort by all sales personnel.',
        'X2': "Customers' interests first, balanced against the company's.",
        'AC-i': 'Carry out sales call activities according to the established mechanism.',
        'AC-ii': 'Solicit useful information about customers during the calls.',
        'AC-iii': (
            'Propose suitable follow-up actions to promote sales and enhance the '
            'relationship.'
        ),
    },
    'ITCSCR410A': {
        'K1': 'Retaining existing and finding new customers drives profitability and survival.',
        'K2': 'Knowing the customer is closely tied to securing the customer.',
        'K3': (
            'Customer profiles must be properly organised and stored for later review and '
            'analysis.'
        ),
        'K4': 'The range of database management and analysis tools and their relative performance.',
        'K5': 'Keen competition; customers expect continuous value-added services.',
        'P1': (
            'Integrate account information and intelligence from different sources into plans '
            'for sales activities.'
        ),
        'P2': 'Build a network of new business contacts by leveraging existing contacts.',
        'P3': (
            'Supervise the recording of enquiries and information from different contact '
            'channels.'
        ),
        'P4': 'Integrate customer intelligence of different kinds into the database.',
        'P5': "Qualify leads by management's pre-defined standards.",
        'P6': 'Develop a list of customer leads with the key information on each.',
        'P7': (
            'Comply with privacy law and internal guidelines when handling customer '
            'information sources.'
        ),
        'P8': 'Prevent leakage of customer data while recording, storing and retrieving it.',
        'P9': 'Present findings to management with solid, feasible recommendations.',
        'X1': 'Balance the interests of existing customers, new customers and the company.',
        'X2': 'Work at full capacity to complete the profile analysis.',
        'AC-i': 'Complete the customer profile analysis accurately within the required time frame.',
        'AC-ii': (
            "Use the findings and follow-up actions to improve existing customers' situation "
            'and attract new customers.'
        ),
    },
    'ITCSCR512A': {
        'K1': "Customer contact is central to executing the company's CRM programmes.",
        'K2': (
            'Many staff at all levels contact customers, so well-defined guidelines are '
            'mandatory.'
        ),
        'K3': (
            'Contact success is multi-dimensional; acquisition and retention are the two key '
            'indicators.'
        ),
        'K4': 'Segments (e.g. corporate vs individual accounts) need separate contact policies.',
        'K5': 'Policies must be disseminated correctly so service is consistent.',
        'K6': (
            'Many means, methods and soft skills exist for contact management, each with '
            'strengths and costs.'
        ),
        'K7': 'Performance indicators must be reviewed periodically with follow-up action.',
        'P1': 'Build a culture in which all staff accept best service through successful contact.',
        'P2': (
            'Set outcome expectations for daily routines (e.g. new customers acquired, '
            'retention rate).'
        ),
        'P3': 'Ensure staff in contact roles are trained and equipped.',
        'P4': (
            'Predict accurately the people and other resources needed for the expected '
            'outcomes; seek endorsement.'
        ),
        'P5': 'Deploy the most suitable employees to each segment.',
        'P6': (
            'Establish an accurate, timely monitoring system (software where applicable) of '
            'periodic new customers, mobility and changes of existing customers.'
        ),
        'P7': 'The monitoring system also shows whether employees observe the contact policies.',
        'P8': 'Outsourcers perform in the same manner and reach the same outcomes as employees.',
        'X1': 'Honest best effort by staff and outsourcers.',
        'X2': 'Balance of interests between customers and the company.',
        'X3': (
            'Company guidelines and legal requirements (privacy) observed in all contact '
            'activities.'
        ),
        'AC-i': 'Launch a set of feasible policies and guidelines for customer contact management.',
        'AC-ii': (
            'Ensure all executing parties, employees and outsourcers, work according to the '
            'guidelines.'
        ),
        'AC-iii': 'Ensure the acquisition and retention performance indicators are achieved.',
    },
    'ITCSCR516A': {
        'K1': 'Positive perception of the products/services and of the company must be sustained.',
        'K2': (
            'Perception must be maintained and strengthened over the long run for the company '
            'to grow.'
        ),
        'K3': 'Sustaining/enhancing perception needs a set of well-designed CRM programmes.',
        'K4': 'It needs effort from all staff who communicate with and serve customers.',
        'K5': 'Staff at all levels must be influenced and motivated to keep perception positive.',
        'K6': (
            'Many factors, methods and techniques exist for designing perception-enhancing '
            'activities.'
        ),
        'P1': (
            'Create a "quality customer service" atmosphere, e.g. a mission statement acted '
            'on daily.'
        ),
        'P2': (
            'Promote the service pledge to customers in all segments and to society (e.g. '
            'advertising).'
        ),
        'P3': (
            'Give staff practical programmes that improve perception: long-term discount, '
            'trade-in, rewards for introducing new customers, periodic product/service news '
            'for existing customers.'
        ),
        'P4': (
            'Let all staff access and share the same customer information, so they act '
            'consistently.'
        ),
        'P5': (
            'Lead periodic reviews of how effective the perception programmes are, and find '
            'improvements.'
        ),
        'X1': 'Staff give their best effort and express the quality-service image daily.',
        'X2': 'Balance of interests between customers and the company.',
        'AC-i': 'Establish the "quality customer service" atmosphere in the company.',
        'AC-ii': (
            "Establish programmes that sustain and enhance customers' perception of the "
            'company.'
        ),
        'AC-iii': "Increase the number of new customers and existing customers' loyalty.",
    },
    '104917L3': {
        'K1': (
            'CRM theories: customer cognition; building relationships; morals (ethics) of '
            'customer relations.'
        ),
        'K2': 'CRM skills.',
        'K3': "The organisation's CRM policy on brands, products and service.",
        'K4': 'General management of customer data and information systems.',
        'P1': (
            'Build stable long-term relationships per corporate policy: routine exchanges by '
            'visit, mail and electronic channels.'
        ),
        'P2': 'Manage communication records: conversations, phone calls, emails, letters.',
        'P3': 'Record important customer information.',
        'P4': 'Follow up: answer enquiries, give price quotations and confirmations.',
        'P5': 'Fulfil promises made to customers.',
        'P6': 'Handle customer complaints.',
        'P7': 'Evaluate and classify customers.',
        'P8': (
            'Manage the customer information system: filing; retrieving, updating and '
            'analysing data; compiling reports; making backups.'
        ),
        'P9': (
            'Liaise with other departments (e.g. sales, maintenance/repair) to make full use '
            'of customer information.'
        ),
        'X1': "Customers' interests first; adhere to the Personal Data (Privacy) Ordinance.",
        'X2': 'Interpersonal communication skills for quality service relations.',
        'AC-i': 'Master customer relations management theories.',
        'AC-ii': (
            'Use CRM skills appropriately to maintain good relationships with customers, '
            'consolidating and growing the business.'
        ),
    },
}


def requirement_ids(code: str) -> list[str] | None:
    """Every requirement id of a unit in catalogue order; None for a unit not catalogued."""
    reqs = REQUIREMENTS.get(code)
    return None if reqs is None else list(reqs)


def criteria_ids(code: str) -> list[str] | None:
    """The assessment-criterion ids (AC-*) of a unit, or None for a unit not in docs/units.md."""
    reqs = REQUIREMENTS.get(code)
    return None if reqs is None else [r for r in reqs if r.startswith("AC-")]
