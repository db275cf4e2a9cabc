"""The question library the system ships with: audit questions per ISO 9001:2015
clause, in the style of ISO 19011 checklists (open questions, a sample to ask
for, the evidence to look for). Our own wording, never the standard's text.

Loaded by migration 0005 (so a fresh install has it without the demo) and kept
here so tests and the demo can read it. The quality manager edits the library
in the application; this list is only the starting point. Every clause below
chapter level (4.1 to 10.3) has questions: those are the auditable clauses.
"""

from __future__ import annotations

# clause number → [(question, evidence to look for)]
QUESTIONS: dict[str, list[tuple[str, str]]] = {
    # ------------------------------------------------------------------ 4 Context
    "4.1": [
        ("How were the internal and external issues relevant to the organisation's purpose and strategic direction "
         "determined? Who took part, and when?",
         "A dated, owned analysis (SWOT, PESTLE, strategy paper) naming concrete issues: markets, technology, "
         "regulation, people, culture. Not a generic template."),
        ("How are these issues monitored and reviewed? When were they last updated, and what changed?",
         "Management review minutes covering changes in issues; a review within the last 12 months; revision "
         "history of the context analysis."),
        ("Pick two issues from the list: where do they show up in the risks and opportunities and in the quality "
         "objectives?",
         "Traceability from each issue to a risk register entry (6.1) and to an objective or action (6.2)."),
    ],
    "4.2": [
        ("Which interested parties are relevant to the QMS, and which of their requirements were determined?",
         "A list of parties (customers, regulators, suppliers, employees, owners, neighbours) with their relevant "
         "requirements and the source of each (contract, law, agreement)."),
        ("How is information about these parties and their requirements kept current? Show a requirement that "
         "changed recently and how it was picked up.",
         "Review dates; an example such as a new regulation or customer specification that led to a documented "
         "change."),
        ("Which statutory and regulatory requirements apply to the products and services, and how does the "
         "organisation know it complies?",
         "A register of applicable legislation with an owner, and a dated compliance evaluation."),
    ],
    "4.3": [
        ("Show the scope statement: which products, services and sites does it cover?",
         "Scope maintained as documented information, naming products/services and sites; consistent with the "
         "certificate, the quality manual and what is seen on site."),
        ("Is any requirement of the standard determined as not applicable? What is the justification, and could "
         "it affect product conformity or customer satisfaction?",
         "A justification per exclusion (typically 8.3 design or 7.1.5.2); on site, confirm the activity really "
         "is not performed."),
        ("How were the issues (4.1) and interested-party requirements (4.2) considered when the scope was set, "
         "and when was the scope last reviewed?",
         "Link from the context analysis to the scope; a review after changes such as a new site or product line."),
    ],
    "4.4": [
        ("Show the process map: which processes make up the QMS, including outsourced ones, and how do they "
         "interact?",
         "A process map or landscape with inputs, outputs, sequence and interfaces; outsourced processes marked."),
        ("How does management know the processes achieve their intended results?",
         "Process indicators with targets, reported to management review; trends and decisions taken on them."),
    ],
    "4.4.1": [
        ("For the audited process: what are its inputs, outputs, owner, criteria and performance indicators?",
         "A process description or turtle diagram; a named owner who knows it; indicators with targets; the "
         "resources it needs."),
        ("How were the risks and opportunities of this process identified, and what is done about them?",
         "Process-level entries in the risk register with actions, owners and evidence the actions were done."),
        ("What happens when the process does not deliver its intended results? Show the last time it happened.",
         "Indicator reviews, trend charts, decisions and changes made; links to corrective actions."),
    ],
    "4.4.2": [
        ("Which documents support the operation of this process, and is the current revision used at the point "
         "of use?",
         "Procedures and work instructions referenced by the process; the revision at the workstation matches "
         "the document register."),
        ("Which records show the process was carried out as planned? Sample three recent ones.",
         "Completed, dated and signed records, retained as the retention rule says; no gaps in sequence."),
    ],
    # ------------------------------------------------------------------ 5 Leadership
    "5.1": [
        ("How does top management show leadership and commitment to the QMS? Ask for concrete examples from the "
         "last year.",
         "Management review chaired by top management; resources approved; visible participation (audits, "
         "briefings, improvement projects)."),
        ("How does top management take accountability for the effectiveness of the QMS?",
         "Decisions on QMS performance in minutes; actions assigned to top management and closed."),
    ],
    "5.1.1": [
        ("How are the quality policy and objectives kept compatible with the context and strategic direction of "
         "the organisation?",
         "Business plan or strategy and quality objectives that point the same way; the policy reviewed with the "
         "strategy."),
        ("How are QMS requirements built into business processes such as budgeting, sales, purchasing and project "
         "approval?",
         "Business procedures that contain quality steps; investment or project approvals that consider quality."),
        ("How does top management make sure the resources the QMS needs are available? Give an example of a "
         "request for resources and what came of it.",
         "Resource decisions in management review outputs; staffing plans; budget lines for quality."),
        ("How does top management communicate the importance of quality management and promote improvement and "
         "risk-based thinking?",
         "Briefing notes, newsletters, toolbox talks, improvement schemes; confirm by interviewing staff."),
    ],
    "5.1.2": [
        ("How are customer requirements and applicable legal requirements determined and met?",
         "Contract review records; legal requirements register; on-time and conformity results."),
        ("Which risks and opportunities that can affect conformity and customer satisfaction were identified, and "
         "what is being done about them?",
         "Customer-related risk register entries with actions and owners."),
        ("How does top management follow customer satisfaction, and what did it do the last time satisfaction "
         "dropped?",
         "Satisfaction and complaint indicators in management review; actions decided and followed up."),
    ],
    "5.2": [
        ("Show the current quality policy: who approved it, and when was it last reviewed?",
         "An approved, dated policy under document control; its review recorded in management review."),
        ("Does the policy give a framework for the quality objectives? Trace two objectives back to it.",
         "Each sampled objective links to a commitment in the policy."),
    ],
    "5.2.1": [
        ("Is the policy appropriate to the organisation's purpose and context, or is it generic text?",
         "Policy content compared with the context analysis (4.1): specific to the business, its products and "
         "customers."),
        ("Does the policy commit to meeting applicable requirements and to continual improvement of the QMS?",
         "Both commitments present in the approved policy text."),
    ],
    "5.2.2": [
        ("How is the quality policy communicated and understood? Ask two employees what it means for their work.",
         "Notice boards, intranet, induction material; answers that relate the policy to the person's job."),
        ("Is the policy available to relevant interested parties, as appropriate?",
         "Published on the website, supplier portal or customer handbook, where the organisation decided so."),
        ("Is the policy maintained as documented information under document control?",
         "A document number, revision and approval in the document register; no uncontrolled versions posted."),
    ],
    "5.3": [
        ("How are responsibilities and authorities for roles that affect quality assigned, communicated and "
         "understood?",
         "Organisation chart, job descriptions or a RACI; interviewed role holders describe their authority "
         "consistently."),
        ("Who is responsible for making sure the QMS conforms to ISO 9001 and that processes deliver their "
         "intended outputs?",
         "A named appointment with a deputy; the person knows the role."),
        ("Who reports on QMS performance and opportunities for improvement to top management, and how?",
         "Reports or presentations to management review with a named author."),
        ("How was the integrity of the QMS kept when the organisation or responsibilities last changed?",
         "A change plan that reassigned responsibilities; updated organisation chart and job descriptions."),
    ],
    # ------------------------------------------------------------------ 6 Planning
    "6.1": [
        ("Show how risks and opportunities are managed: the method, the register, the owners.",
         "A documented method with rating criteria; a register with ratings, owners and review dates."),
        ("How is it ensured that actions on risks are proportionate to their potential effect on conformity?",
         "Rating criteria applied; higher-rated risks carry stronger or faster actions."),
    ],
    "6.1.1": [
        ("How were the issues (4.1) and interested-party requirements (4.2) used to determine the risks and "
         "opportunities?",
         "Register entries that reference context issues and interested-party requirements."),
        ("For the audited process: which risks and opportunities were identified, and when were they last "
         "reviewed?",
         "Process entries in the register with an owner and a review date within the planned interval."),
        ("How are new risks identified, for example after a change, an incident or a new customer?",
         "Triggers defined in the method; an example of a risk added after an event."),
    ],
    "6.1.2": [
        ("What actions are planned for the significant risks and opportunities, and how are they built into the "
         "processes?",
         "Actions with owners and dates; changed procedures, added controls or training as a result."),
        ("How is the effectiveness of these actions evaluated?",
         "Re-rating after the action; indicator trends; an input to management review."),
        ("Sample two actions: are they done, and did they reduce the risk or realise the opportunity?",
         "Closed action records with evidence of completion and of the effect."),
    ],
    "6.2": [
        ("Show the current quality objectives: at which functions, levels and processes are they set?",
         "Objectives at company level and for relevant processes or departments."),
        ("How are progress and achievement of the objectives reported and reviewed?",
         "Dashboards or reports at a set frequency; discussion in management review."),
    ],
    "6.2.1": [
        ("Are the objectives consistent with the policy, measurable, and relevant to conformity and customer "
         "satisfaction?",
         "Each objective has a measure, a target, a baseline and a link to the policy."),
        ("How are the objectives monitored, communicated and updated?",
         "A monitoring frequency; communication to the people concerned; targets revised when met or when "
         "circumstances change."),
        ("Are the objectives maintained as documented information?",
         "A controlled document or record with a version and approval."),
    ],
    "6.2.2": [
        ("For two objectives: what will be done, with what resources, by whom, by when, and how will the results "
         "be evaluated?",
         "Action plans that answer all five points."),
        ("What is the current status of those plans, and what is done when an objective is off track?",
         "Progress reports; recovery actions decided and followed up."),
    ],
    "6.3": [
        ("What changes to the QMS were made in the last year (organisation, processes, IT systems), and how were "
         "they planned?",
         "Change requests with plans and approvals."),
        ("For a sampled change: were its purpose and consequences, the integrity of the QMS, resources and the "
         "reallocation of responsibilities considered?",
         "A change assessment covering each of these points before the change was made."),
        ("How was the change communicated, and were documents and training updated?",
         "Revised documents and training records dated around the change."),
    ],
    # ------------------------------------------------------------------ 7 Support
    "7.1": [
        ("How does the organisation determine and provide the resources the QMS needs?",
         "Resource planning and budgets; management review outputs on resources."),
        ("Which constraints of internal resources were considered, and what is obtained from external providers "
         "instead?",
         "Make-or-buy decisions; the list of outsourced processes and services."),
    ],
    "7.1.1": [
        ("How were the resources needed for the audited process determined, and are they sufficient in practice?",
         "Capacity planning; staffing against workload; backlog or lead-time data."),
        ("Which resource shortfalls occurred recently, and how were they handled?",
         "Overtime records, delayed orders, escalations and the management decision."),
    ],
    "7.1.2": [
        ("How is the number of people needed for the QMS and its processes determined?",
         "Staffing plans and shift plans; actual headcount against the plan."),
        ("How is cover kept for absence, holidays and key people who are hard to replace?",
         "Deputy lists; a skills matrix showing at least one back-up for critical tasks."),
    ],
    "7.1.3": [
        ("Which infrastructure (buildings, equipment, IT, transport) does the process need, and how is it "
         "maintained?",
         "An equipment list; a maintenance plan; maintenance records."),
        ("Show the maintenance records of one critical machine: was the planned maintenance done on time?",
         "Preventive maintenance schedule against completion dates; breakdown log and follow-up."),
        ("How are the IT systems that hold quality records backed up and protected?",
         "Backup schedule, a recent restore test, access control."),
    ],
    "7.1.4": [
        ("Which conditions of the work environment matter for conformity in this process (temperature, humidity, "
         "cleanliness, lighting, noise, workload, stress)?",
         "Defined environmental conditions and limits for the process."),
        ("How are these conditions monitored, and what happens when they go outside their limits?",
         "Environment logs or cleanliness checks; actions recorded on excursions, including on affected product."),
    ],
    "7.1.5": [
        ("Which monitoring and measuring resources are used to verify conformity of products and services?",
         "An instrument register that includes gauges, test software and other measuring means."),
        ("How does the organisation make sure they suit the measurement and stay fit for purpose?",
         "Selection criteria; capability studies (MSA/GR&R) for critical measurements."),
    ],
    "7.1.5.1": [
        ("How is it ensured that the equipment used is suitable for the measurement (range, resolution, "
         "accuracy against the tolerance)?",
         "Specification tolerance compared with the instrument's accuracy; measurement system analysis."),
        ("What records show the measuring resources are fit for their purpose?",
         "Retained verification results, MSA studies, validation of test software."),
        ("Where measurement is not by an instrument (a survey, a visual standard, a software check), how was the "
         "method validated?",
         "Validation records; limit samples or reference images that are controlled."),
    ],
    "7.1.5.2": [
        ("How are measuring instruments identified and their calibration status shown?",
         "A unique ID on each instrument; a calibration label with the due date; the register matches the label."),
        ("Show the calibration records for an instrument used today: are they traceable to national or "
         "international standards? Where none exist, what is the basis for calibration?",
         "A certificate with a traceability statement, from an accredited laboratory (ISO/IEC 17025), with "
         "as-found results and uncertainty; the documented basis where there is no standard."),
        ("Pick an instrument at a workstation: is it within its calibration date? What stops the use of an "
         "overdue or damaged instrument?",
         "The label and the register agree; an overdue list; quarantine of instruments that are due or damaged."),
        ("When an instrument was found out of tolerance, how were earlier results assessed and what was done?",
         "An out-of-tolerance assessment; re-inspection or recall of affected product where needed."),
    ],
    "7.1.6": [
        ("What knowledge is needed to run the process and achieve conformity, and how is it kept and made "
         "available?",
         "Knowledge bases, lessons learned, work instructions, mentoring arrangements."),
        ("How is knowledge protected from loss when people leave or retire?",
         "Handover records, documented expertise, succession plans."),
        ("How does the organisation acquire the knowledge it needs when things change (new technology, new "
         "products)?",
         "Training, external experts, conferences, lessons-learned reviews after projects."),
    ],
    "7.2": [
        ("How are the competence requirements for roles that affect quality determined?",
         "Job descriptions or a competence matrix stating education, training and experience needed."),
        ("Sample three people in the audited process: show the evidence that they are competent for the tasks "
         "they do.",
         "Training records, qualifications, certificates, skills matrix sign-offs that match the tasks seen."),
        ("When a competence gap is found, what is done, and how is the effectiveness of the action evaluated?",
         "A training plan; an assessment after training, or a supervised work sign-off."),
        ("How is the competence of temporary staff, contractors and new starters ensured before they work "
         "unsupervised?",
         "Induction records and supervised sign-offs dated before unsupervised work."),
    ],
    "7.3": [
        ("Ask staff: what is the quality policy, and which quality objectives concern your work?",
         "Answers in the person's own words; objectives displayed where the work is done."),
        ("Ask staff: how does your work contribute to the QMS, and what happens if the requirements of your job "
         "are not followed?",
         "Answers that show understanding of the effect on the product, the customer and the next process."),
        ("How is awareness created and checked, for example at induction and after changes?",
         "Induction checklists, briefings and toolbox talks with attendance records."),
    ],
    "7.4": [
        ("Which internal and external communications relevant to the QMS are defined: what, when, with whom, how, "
         "and who communicates?",
         "A communication matrix or plan."),
        ("Sample a recent communication with a customer or supplier on a quality matter: who sent it, and did it "
         "follow the plan?",
         "E-mails, letters or meeting minutes from the authorised person."),
        ("How are the results of audits, complaints and objectives communicated to the people concerned?",
         "Team meeting minutes, notice boards, briefings."),
    ],
    "7.5": [
        ("Which documented information does the QMS include beyond what the standard asks for, and how was its "
         "extent decided?",
         "A document register; a rationale based on size, complexity and competence."),
        ("How are documents and records kept under control across paper and electronic systems?",
         "A document control procedure that covers every system in use."),
    ],
    "7.5.1": [
        ("Does the QMS contain the documented information the standard asks for (scope, policy, objectives and "
         "the required records)?",
         "The list of required documented information checked against the register."),
        ("Which further documented information did the organisation decide it needs, and is it in place?",
         "Procedures and work instructions named in the process descriptions exist and are current."),
    ],
    "7.5.2": [
        ("Sample two documents: do they carry identification and a description (title, number, revision, date, "
         "author)?",
         "Headers or footers; the matching entry in the document register."),
        ("Who reviewed and approved them for suitability and adequacy, and was the approval recorded before "
         "issue?",
         "An approval record dated on or before the effective date."),
        ("Are format and media suitable for the users (language, software, paper or screen at the workstation)?",
         "The document as seen at the point of use."),
    ],
    "7.5.3": [
        ("How are documents and records controlled so that they are available where needed and adequately "
         "protected?",
         "A document control procedure; access rights per system."),
        ("How is documented information of external origin (standards, customer drawings, supplier manuals) "
         "identified and controlled?",
         "A list of external documents with their current revisions and who checks them."),
    ],
    "7.5.3.1": [
        ("At the point of use: is the current revision available, and are obsolete copies removed or marked?",
         "The revision at the workstation compared with the register; obsolete copies stamped or withdrawn."),
        ("How are documents and records protected against loss of confidentiality, improper use or loss of "
         "integrity?",
         "Access control, backups, read-only archives, an audit trail on electronic records."),
    ],
    "7.5.3.2": [
        ("How are changes to documents controlled: identification of the change, re-approval, distribution?",
         "A change history, revision marks, a distribution list or an electronic release notice."),
        ("What are the retention periods for the records of this process, and how are records disposed of at "
         "the end?",
         "A retention schedule; a disposal log."),
        ("How are records protected from unintended alteration? Try to find a way to change a signed record.",
         "Locked or signed records; corrections traceable with who, when and why."),
        ("Show how an external document (a customer drawing or a standard) is identified and its revision "
         "checked.",
         "The external documents register and the date of the last revision check."),
    ],
    # ------------------------------------------------------------------ 8 Operation
    "8.1": [
        ("How is the provision of the product or service planned: requirements, criteria, acceptance criteria, "
         "resources?",
         "A production or service plan, a control plan, route cards."),
        ("Which records give confidence that the processes ran as planned and the products conform?",
         "The records the control plan asks for, complete for a sampled batch or job."),
        ("How are planned changes controlled, and how are unintended changes reviewed and their effects "
         "mitigated?",
         "Change records; deviation reports with actions."),
        ("How are outsourced processes controlled within the operational plan?",
         "The list of outsourced processes and the controls applied to each (see 8.4)."),
    ],
    "8.2": [
        ("How does the organisation determine, review and communicate the requirements for its products and "
         "services?",
         "A sales or contract process description."),
        ("How does the organisation make sure it can meet the claims it makes for its products and services?",
         "Claims in catalogues or on the website compared with capability and test evidence."),
    ],
    "8.2.1": [
        ("How are customers informed about products and services, and how are enquiries, contracts and orders, "
         "including changes, handled?",
         "Catalogues, quotation templates, order confirmations, change confirmations."),
        ("How is customer feedback, including complaints, obtained?",
         "A complaint log; surveys; feedback channels."),
        ("Where relevant, how are the handling of customer property and contingency actions agreed with the "
         "customer?",
         "Agreements or notifications to customers."),
    ],
    "8.2.2": [
        ("How are product requirements determined, including applicable legal ones and those the organisation "
         "considers necessary?",
         "Specifications; the legal requirements register; internal standards."),
        ("Sample an order: where are all its requirements (specification and revision, quantity, delivery, "
         "packaging, legal) documented?",
         "The order file, the specification or drawing at the right revision."),
    ],
    "8.2.3": [
        ("How is it ensured that the organisation can meet the requirements before it commits to supply?",
         "A contract review procedure, and who takes part in it."),
        ("Who may accept orders or contracts, and where is that authority defined?",
         "An authority matrix; accepted orders signed by authorised people."),
    ],
    "8.2.3.1": [
        ("Sample three orders or contracts: was a review done before acceptance covering stated requirements, "
         "delivery and post-delivery, unstated but necessary requirements and legal ones?",
         "Review records dated before the order confirmation."),
        ("How are differences between an order and the earlier quotation resolved?",
         "Correspondence or an amended order agreed with the customer."),
        ("How are verbal orders, or orders without documented requirements, confirmed before acceptance?",
         "Order confirmations sent to the customer."),
    ],
    "8.2.3.2": [
        ("Are the results of the review, and any new requirements, retained?",
         "Signed or system-recorded review results; notes of new requirements."),
        ("Show a review where a requirement could not be met: what was decided and told to the customer?",
         "A record of a declined or modified order and the communication."),
    ],
    "8.2.4": [
        ("When requirements change, how are the documents amended and the people concerned made aware?",
         "An amended order, a revised specification, a notice to production and purchasing."),
        ("Sample a changed order: did planning, purchasing and production work to the new revision?",
         "The revision on the work order and purchase orders; evidence of the communication."),
    ],
    "8.3": [
        ("Is design and development within the scope? If so, show the design process; if it is excluded, confirm "
         "on site that no design is done.",
         "A design procedure; or evidence that products are made to customer designs only."),
        ("For a sampled project: how were stages, reviews and responsibilities defined?",
         "A project plan with stages, gates and named people."),
    ],
    "8.3.1": [
        ("How was the design and development process set up so that the later provision of products and services "
         "is ensured?",
         "A design procedure or stage-gate model that ends with a transfer to production."),
        ("Which projects are currently in design, and which one can be followed from start to release?",
         "A project list with status."),
    ],
    "8.3.2": [
        ("For the sampled project: which stages, reviews, verification and validation activities, "
         "responsibilities and resources were planned?",
         "A project plan with stages and gates."),
        ("How were interfaces between groups, customer and user involvement, and the documents needed for the "
         "design considered?",
         "The plan and meeting minutes."),
        ("What records confirm that the design and development requirements were met?",
         "Retained records per stage."),
    ],
    "8.3.3": [
        ("Which inputs were determined for the sampled design: functional and performance requirements, earlier "
         "similar designs, legal requirements, standards, consequences of failure?",
         "A design input document or specification."),
        ("Are the inputs adequate, complete and unambiguous, and how were conflicting inputs resolved?",
         "An input review record."),
        ("Are the inputs retained as documented information?",
         "The design file."),
    ],
    "8.3.4": [
        ("Show the design reviews held: who took part, what was evaluated, and which actions were raised and "
         "closed?",
         "Review minutes and action lists."),
        ("How was it verified that the design outputs meet the inputs?",
         "Verification reports: calculations, tests, comparisons with a proven design."),
        ("How was it validated that the product meets the requirements of its intended use?",
         "Validation reports: field trials, customer acceptance, simulated use."),
    ],
    "8.3.5": [
        ("Do the design outputs meet the inputs, and are they adequate for purchasing, production and service?",
         "Drawings, specifications, bill of materials, production instructions."),
        ("Do the outputs state the monitoring and measuring requirements, the acceptance criteria and the "
         "characteristics essential for safe and proper use?",
         "Inspection plans, warnings, user instructions."),
        ("Are the outputs approved before release and retained?",
         "A release record with approval."),
    ],
    "8.3.6": [
        ("Sample a design change: how was it identified, reviewed and controlled so it does not harm conformity?",
         "A change request with an impact analysis."),
        ("Which records show the change, the review results, who authorised it and the actions taken?",
         "An engineering change record."),
        ("How were products already made or delivered considered in the change?",
         "An assessment of stock and field products; actions taken."),
    ],
    "8.4": [
        ("Which processes, products and services are provided externally, and which of them are outsourced "
         "processes?",
         "An approved supplier list; a list of outsourced processes."),
        ("How does the organisation make sure that what is provided externally conforms to requirements?",
         "A supplier control procedure."),
    ],
    "8.4.1": [
        ("What criteria are used to evaluate, select, monitor and re-evaluate external providers?",
         "A supplier evaluation procedure with criteria such as quality, delivery and certification."),
        ("Sample two providers from the approved list: show the evaluation before approval and the latest "
         "performance review.",
         "Evaluation records and scorecards with dates."),
        ("What was done with a provider whose performance was poor?",
         "A supplier corrective action request, a re-evaluation or a removal from the list."),
    ],
    "8.4.2": [
        ("How are the type and extent of control over each provider and outsourced process set according to its "
         "effect and risk?",
         "A control level per supplier: incoming inspection, certificates, supplier audits."),
        ("Show the incoming verification records for a sampled delivery: was it checked as defined?",
         "A goods-in inspection record or a certificate of conformity, checked and signed."),
        ("How are outsourced processes kept under the control of the QMS?",
         "Requirements in the contract, performance monitoring, audits of the provider."),
    ],
    "8.4.3": [
        ("Sample two purchase orders: do they state clearly what is required (product, specification and "
         "revision, approvals, competence, quality requirements, verification at the provider)?",
         "The content of the purchase orders and any referenced documents."),
        ("How is the adequacy of requirements checked before they are sent to the provider?",
         "Purchase order review or approval."),
        ("How are providers told how their performance is controlled and monitored?",
         "A supplier quality agreement; scorecards shared with the provider."),
    ],
    "8.5": [
        ("How is production or service provision carried out under controlled conditions?",
         "A control plan and work instructions for the process."),
        ("Walk the process: are the planned controls applied at each stage?",
         "Observation compared with the control plan."),
    ],
    "8.5.1": [
        ("At the workstation: are the characteristics of the product and the results to be achieved available?",
         "The drawing, specification or work instruction at the point of use, at the current revision."),
        ("Are monitoring and measurement done at the planned stages, with suitable equipment and qualified "
         "people?",
         "Inspection records; instruments in calibration; operators on the skills matrix."),
        ("Where the output cannot be verified afterwards (welding, heat treatment, sterilisation, software), how "
         "is the process validated and revalidated?",
         "Validation reports; parameter records; revalidation after changes."),
        ("What is done to prevent human error (mistake-proofing, checklists, double checks)?",
         "Mistake-proofing seen in use; checklists filled in."),
    ],
    "8.5.2": [
        ("How are outputs identified throughout production, and how is their inspection status shown?",
         "Labels, tags, route cards, status areas, system status."),
        ("Pick a finished product or delivery: trace it back to its materials, operators, equipment and "
         "inspection records.",
         "Batch, lot or serial numbers linked through records; note how long the trace takes."),
        ("Where traceability is required, is the unique identification controlled and retained?",
         "Serial number records retained as required."),
    ],
    "8.5.3": [
        ("What property of customers or external providers is held (materials, tooling, drawings, personal "
         "data), and how is it identified, verified and protected?",
         "A register of customer property, labels, separate storage."),
        ("Show a case where such property was lost, damaged or found unsuitable: was the owner told, and was it "
         "recorded?",
         "A notification to the owner and the retained record."),
    ],
    "8.5.4": [
        ("How are outputs preserved during production and delivery (identification, handling, packaging, "
         "storage, transport, protection)?",
         "Packaging specifications, storage conditions, first-in first-out, shelf-life control."),
        ("Walk the store: are materials stored as specified, and are shelf-life and sensitive items controlled?",
         "Observation; expired or damaged items segregated."),
    ],
    "8.5.5": [
        ("Which post-delivery activities are required (warranty, maintenance, support, recycling), and how were "
         "they determined?",
         "Contracts, legal requirements, product risks, expected lifetime."),
        ("How is feedback from post-delivery activities used?",
         "Analysis of warranty claims and service reports; resulting actions."),
    ],
    "8.5.6": [
        ("Sample a change to production or service provision (new machine, method, material): how was it "
         "reviewed and controlled before use?",
         "A change record, trial results, an approval."),
        ("Which records show the results of the change review, who authorised the change, and the actions "
         "arising?",
         "The retained change record."),
    ],
    "8.6": [
        ("How is it verified that product requirements are met before release to the customer?",
         "Final inspection records; release criteria."),
        ("Sample three released lots: do the records show conformity with the acceptance criteria and who "
         "authorised the release?",
         "Release records with name, date and lot number."),
        ("Was any product released before all planned checks were completed? If so, who approved it, and did "
         "the customer agree where needed?",
         "A concession or waiver record."),
    ],
    "8.7": [
        ("How are nonconforming outputs identified and controlled to prevent their unintended use or delivery?",
         "A procedure for nonconforming output."),
        ("Which nonconformities were found after delivery, and how were they handled?",
         "Complaints, returns, recalls and their records."),
    ],
    "8.7.1": [
        ("Walk the process: how are nonconforming items identified and segregated?",
         "A quarantine area, red tags or a block in the system."),
        ("How are nonconforming outputs dealt with (correction, segregation, return, informing the customer, "
         "concession)? Sample two.",
         "Nonconformity reports with a disposition decided by an authorised person."),
        ("After a correction such as rework, is conformity verified again?",
         "A re-inspection record."),
    ],
    "8.7.2": [
        ("Do the nonconformity records describe the nonconformity, the actions taken, any concession, and who "
         "decided?",
         "Complete records for the sample."),
        ("How are nonconformities analysed for trends and fed into corrective action?",
         "A trend analysis; links to corrective actions."),
    ],
    # ------------------------------------------------------------------ 9 Performance evaluation
    "9.1": [
        ("What is monitored and measured, and how are the results used to evaluate the performance of the QMS?",
         "A list of indicators with owners."),
        ("How are monitoring results reported to management?",
         "Dashboards; inputs to management review."),
    ],
    "9.1.1": [
        ("For the audited process: what is monitored and measured, how, when, and when are the results analysed?",
         "A monitoring plan; indicators with frequency and method."),
        ("Show the monitoring results of the last six months: are they retained, and do they show the process "
         "meets its targets?",
         "Indicator records and trend charts."),
        ("How are the performance and effectiveness of the QMS evaluated from these results?",
         "An evaluation or report with conclusions."),
    ],
    "9.1.2": [
        ("How is the customers' view of whether their needs and expectations are met monitored (surveys, "
         "feedback, complaints, warranty claims, repeat orders)?",
         "Survey results, complaint data, other sources used."),
        ("What were the latest results, and what actions followed?",
         "An analysis and an action list."),
        ("How were the methods for obtaining and reviewing this information decided?",
         "The survey method, frequency and response rate."),
    ],
    "9.1.3": [
        ("Which data are analysed: conformity, customer satisfaction, QMS performance, planning, actions on "
         "risks, supplier performance, the need for improvement?",
         "An analysis report that covers each of these."),
        ("Which methods are used, and what did the last analysis conclude?",
         "Charts, Pareto analyses, statistical methods; written conclusions."),
        ("How are the results of the analysis used in management review and improvement?",
         "Management review inputs; improvement projects started from them."),
    ],
    "9.2": [
        ("Show the audit programme: are all processes and clauses covered at planned intervals, taking account "
         "of their importance, changes and earlier results?",
         "A programme with coverage and frequency based on risk."),
        ("How are internal audit results reported to management and used?",
         "Audit results as a management review input; decisions taken."),
    ],
    "9.2.1": [
        ("How do internal audits establish whether the QMS conforms to the organisation's own requirements and "
         "to ISO 9001, and is effectively implemented?",
         "Audit criteria that include both; reports that conclude on effectiveness."),
        ("Were the audits held as planned this year? What happened to audits that slipped?",
         "Programme dates against actual dates; rescheduling decisions."),
    ],
    "9.2.2": [
        ("How were the criteria and scope of each audit defined, and how were auditors chosen so that they are "
         "objective and impartial?",
         "Audit plans; no auditor audits their own work."),
        ("Are the auditors competent? Show their qualification records.",
         "Auditor training (for example on ISO 19011) and audit experience."),
        ("Sample two audit reports: were the results reported to the managers concerned, and were corrections "
         "and corrective actions taken without undue delay?",
         "Reports, their distribution, dates of corrective actions."),
        ("Are the programme's implementation and the audit results retained?",
         "Programme, plans, checklists and reports retained."),
    ],
    "9.3": [
        ("How often is management review held, who attends, and when was the last one?",
         "A schedule; minutes with attendance, including top management."),
        ("How does the review conclude on the suitability, adequacy, effectiveness and strategic alignment of "
         "the QMS?",
         "Conclusions written in the minutes."),
    ],
    "9.3.1": [
        ("Does top management review the QMS at planned intervals? Show the plan and the last two reviews.",
         "Review dates against the plan."),
        ("How is the review prepared (data collected, agenda)?",
         "An agenda and an input pack sent in advance."),
    ],
    "9.3.2": [
        ("Did the last review consider the status of actions from earlier reviews and changes in external and "
         "internal issues?",
         "Items in the minutes."),
        ("Did it consider QMS performance: customer satisfaction, objectives, process performance, "
         "nonconformities and corrective actions, monitoring results, audit results, supplier performance?",
         "Minutes or an input pack that cover each point."),
        ("Did it consider the adequacy of resources, the effectiveness of actions on risks and opportunities, and "
         "opportunities for improvement?",
         "Items in the minutes."),
    ],
    "9.3.3": [
        ("What decisions and actions came out of the last review on improvement, changes to the QMS and "
         "resources?",
         "Minutes with decisions, owners and dates."),
        ("Are the results retained, and were the actions carried out? Sample two.",
         "Action tracking and evidence of completion."),
    ],
    # ------------------------------------------------------------------ 10 Improvement
    "10.1": [
        ("How are opportunities for improvement determined and selected?",
         "An improvement register, a suggestion scheme, a project list."),
        ("Give examples of improvements made in the last year to products, processes or customer satisfaction: "
         "what was the result?",
         "Before and after data."),
    ],
    "10.2": [
        ("How are nonconformities, including those from complaints, handled from detection to closure?",
         "A corrective action procedure."),
        ("How many corrective actions are open and overdue, and why?",
         "The corrective action log and the age of open items."),
    ],
    "10.2.1": [
        ("Sample two nonconformities: what was done to control and correct them and to deal with the "
         "consequences?",
         "Containment and correction records with dates."),
        ("How was the need for action on the cause evaluated: root cause, similar nonconformities elsewhere?",
         "A root cause analysis (5 whys, fishbone); a check of where else it could occur."),
        ("Were the actions implemented and their effectiveness reviewed? Were the risks, opportunities or the QMS "
         "updated where needed?",
         "Effectiveness check records; an updated risk register or documents."),
        ("Are the corrective actions appropriate to the effects of the nonconformities?",
         "Severity of the nonconformity compared with the depth and speed of the action."),
    ],
    "10.2.2": [
        ("Do the records show the nature of each nonconformity, the actions taken and the results of corrective "
         "action?",
         "Complete corrective action records."),
        ("Are these records retained and protected?",
         "Retention rule; an audit trail on changes."),
    ],
    "10.3": [
        ("How does the organisation continually improve the suitability, adequacy and effectiveness of the QMS?",
         "Improving indicator trends; improvement projects."),
        ("How are the results of analysis and management review used to find needs and opportunities for "
         "improvement?",
         "Links from the analysis and review outputs to improvement actions."),
        ("Show a trend over two or three years that shows improvement, or the action taken where there is none.",
         "Indicator history and the decisions taken on it."),
    ],
}


def load(apps, schema_editor=None) -> int:
    """Add the shipped questions that are missing (idempotent; questions the
    quality manager edited or added are left alone). Rows and their first
    history rows are bulk-created so that this works from a migration (no
    history signals there) and from the live app registry alike (tests put
    reference data back after a flush). Returns the number added."""
    from django.utils import timezone

    Clause = apps.get_model("qms", "Clause")
    AuditQuestion = apps.get_model("audits", "AuditQuestion")
    History = apps.get_model("audits", "HistoricalAuditQuestion")
    clauses = {c.number: c for c in Clause.objects.filter(number__in=list(QUESTIONS))}
    have = set(AuditQuestion.objects.values_list("clause__number", "text"))
    now = timezone.now()
    new = [
        AuditQuestion(clause=clauses[number], text=text, guidance=guidance, position=(i + 1) * 10, created_at=now)
        for number, rows in QUESTIONS.items() if number in clauses
        for i, (text, guidance) in enumerate(rows) if (number, text) not in have
    ]
    AuditQuestion.objects.bulk_create(new)
    History.objects.bulk_create([
        History(id=q.pk, clause_id=q.clause_id, text=q.text, guidance=q.guidance, position=q.position,
                is_active=True, created_by_id=None, created_at=now, history_date=now, history_type="+",
                history_change_reason="Shipped with the system")
        for q in new
    ])
    return len(new)
