from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Customer feedback and management review"

    urls = (("reviews/", "reviews.urls"),)

    def ready(self):
        from qms import nav, scope
        from reviews import (  # noqa: F401 - each registers itself with the core
            dashboard,  # my tasks and the digest (qms.dashboard)
            events,  # the sentences of its audit-event verbs (qms.audit.register_verbs)
            evidence,  # readiness evidence for 9.1.2 and 9.3 (qms.evidence)
            jobs,  # the review pack PDF (qms.jobs)
            lifecycles,  # states, moves and badge colours (qms.lifecycle)
            registers,
            review_inputs,  # the 9.3.2 inputs this app fills (qms.review_inputs)
            rules,  # the app's rules (qms.rules)
            search,  # feedback and reviews in the one search box (qms.search)
        )
        from reviews.models import Complaint, ManagementReview, SatisfactionSurvey

        registers.declare()
        review_inputs.register_measures()
        scope.links(Complaint, clauses="clause", process="process")
        scope.links(SatisfactionSurvey, clauses="clause")
        scope.links(ManagementReview, clauses="clause")
        nav.entry("Management system", "Customer feedback", "reviews:complaints", rule="reviews.view_complaints",
                  prefix="/reviews/complaints/", order=40)
        nav.entry("Management system", "Customer satisfaction", "reviews:surveys", rule="reviews.view_surveys",
                  prefix="/reviews/surveys/", order=45)
        nav.entry("Management system", "Management review", "reviews:reviews", rule="reviews.view_reviews",
                  prefix="/reviews/meetings/", order=50)
