"""The seven seeded record types (demo and first installs): ISO clauses,
retention and form fields. Fields use stable keys so later form versions line up."""


def _f(key, label, type_, required=False, **extra):
    return {"key": key, "label": label, "type": type_, "required": required, **extra}


RESULT_EFFECT = ["Effective", "Partly effective", "Not effective", "Pending evaluation"]

SEED_TYPES = [
    {
        "code": "TRN", "name": "Training record", "clauses": ["7.2", "7.3"], "retention_years": 10,
        "verification_required": True, "form_keyword": "training",
        "description": "Evidence of competence: training given, by whom, and whether it was effective.",
        "fields": [
            _f("trainee", "Trainee", "user", True),
            _f("course", "Course or topic", "text", True),
            _f("training_date", "Training date", "date", True),
            _f("trainer", "Trainer or provider", "text"),
            _f("hours", "Duration", "number", min="0", max="200", unit="h"),
            _f("method", "Method", "choice", True, choices=["Classroom", "On the job", "E-learning", "External course"]),
            _f("effectiveness", "Effectiveness result", "choice", True, choices=RESULT_EFFECT),
            _f("certificate", "Certificate or attendance list", "file"),
            _f("notes", "Notes", "longtext"),
        ],
    },
    {
        "code": "CAL", "name": "Calibration record", "clauses": ["7.1.5.1", "7.1.5.2"], "retention_years": 10,
        "verification_required": True, "form_keyword": "calibration",
        "description": "Calibration or verification of a measuring instrument against a traceable standard.",
        "fields": [
            _f("instrument_id", "Instrument ID", "text", True),
            _f("instrument", "Instrument description", "text"),
            _f("calibration_date", "Calibration date", "date", True),
            _f("next_due", "Next calibration due", "date", True),
            _f("deviation", "Measured deviation", "number", True, min="-10", max="10", unit="µm"),
            _f("result", "Result", "choice", True, choices=["Pass", "Adjusted and passed", "Fail"]),
            _f("standard", "Reference standard used", "text"),
            _f("calibrated_by", "Calibrated by (lab)", "text"),
            _f("certificate", "Calibration certificate", "file"),
        ],
    },
    {
        "code": "INS", "name": "Inspection and test record", "clauses": ["8.6", "8.5.2"], "retention_years": 10,
        "verification_required": True, "form_keyword": "inspection",
        "description": "Incoming, in-process or final inspection; who authorised release.",
        "fields": [
            _f("part_number", "Part number", "text", True),
            _f("lot", "Lot or batch", "text", True),
            _f("inspection_type", "Inspection type", "choice", True, choices=["Incoming", "In-process", "Final"]),
            _f("sample_size", "Sample size", "number", True, min="1", max="10000", unit="pcs"),
            _f("defects", "Defects found", "number", min="0", max="10000", unit="pcs"),
            _f("characteristics", "Characteristics checked", "multichoice",
               choices=["Dimensions", "Visual", "Function", "Labelling", "Packaging"]),
            _f("result", "Result", "choice", True, choices=["Accept", "Reject", "Conditional release"]),
            _f("released_by", "Release authorised by", "user"),
            _f("report", "Test report", "file"),
        ],
    },
    {
        "code": "CMP", "name": "Customer complaint", "clauses": ["8.2.1", "9.1.2", "10.2.2"], "retention_years": 5,
        "verification_required": False, "form_keyword": "complaint",
        "description": "A complaint received from a customer and what was done about it.",
        "fields": [
            _f("customer", "Customer", "text", True),
            _f("received", "Date received", "date", True),
            _f("channel", "Received by", "choice", True, choices=["E-mail", "Phone", "Visit", "Web form", "Sales representative"]),
            _f("product", "Product or service", "text"),
            _f("description", "Complaint", "longtext", True),
            _f("severity", "Severity", "choice", True, choices=["Low", "Medium", "High", "Critical"]),
            _f("justified", "Complaint justified", "checkbox"),
            _f("nc_raised", "Nonconformity raised", "checkbox"),
            _f("response_date", "Response sent on", "date"),
        ],
    },
    {
        "code": "SUP", "name": "Supplier evaluation", "clauses": ["8.4.1"], "retention_years": 3,
        "verification_required": True, "form_keyword": "supplier",
        "description": "Evaluation, selection and re-evaluation of an external provider.",
        "fields": [
            _f("supplier", "Supplier", "text", True),
            _f("evaluation_date", "Evaluation date", "date", True),
            _f("scope", "Scope of supply", "text"),
            _f("criteria", "Criteria evaluated", "multichoice", choices=["Quality", "Delivery", "Price", "Service", "Certification"]),
            _f("quality_score", "Quality score", "number", True, min="0", max="100", unit="%"),
            _f("delivery_score", "On-time delivery", "number", True, min="0", max="100", unit="%"),
            _f("status", "Outcome", "choice", True, choices=["Approved", "Approved with conditions", "Rejected"]),
            _f("evaluator", "Evaluator", "user"),
            _f("comments", "Comments", "longtext"),
        ],
    },
    {
        "code": "MRV", "name": "Management review minutes", "clauses": ["9.3.3", "9.3.2"], "retention_years": None,
        "verification_required": True, "form_keyword": "management review",
        "description": "Minutes of a management review: inputs considered, decisions and actions.",
        "fields": [
            _f("meeting_date", "Meeting date", "date", True),
            _f("attendees", "Attendees", "longtext", True),
            _f("inputs", "Inputs reviewed", "multichoice", True, choices=[
                "Status of previous actions", "Changes in issues", "Customer satisfaction", "Quality objectives",
                "Process performance", "Nonconformities and corrective actions", "Audit results",
                "External providers", "Resources", "Risks and opportunities", "Improvement opportunities"]),
            _f("decisions", "Decisions", "longtext", True),
            _f("actions", "Actions (owner, due date)", "longtext"),
            _f("next_review", "Next review", "date"),
            _f("signed_minutes", "Signed minutes", "file"),
        ],
    },
    {
        "code": "NCR", "name": "Nonconforming output report", "clauses": ["8.7.1", "8.7.2"], "retention_years": 10,
        "verification_required": True, "form_keyword": "nonconform",
        "description": "A nonconforming output, its disposition and who decided (concessions included).",
        "fields": [
            _f("product", "Product or part", "text", True),
            _f("lot", "Lot or batch", "text"),
            _f("quantity", "Quantity affected", "number", True, min="0", max="1000000", unit="pcs"),
            _f("detected_at", "Detected at", "choice", True, choices=["Incoming", "In-process", "Final inspection", "Customer"]),
            _f("description", "Nonconformity", "longtext", True),
            _f("disposition", "Disposition", "choice", True, choices=[
                "Rework", "Scrap", "Use as is (concession)", "Return to supplier", "Regrade"]),
            _f("decided_by", "Disposition decided by", "user", True),
            _f("concession_ref", "Concession reference", "text"),
            _f("containment", "Containment done", "checkbox"),
        ],
    },
]
