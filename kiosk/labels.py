"""The translated wording of the codes that the domain and services return: labels of states,
types and choices, and the reasons given when something is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from .domain.states import BookingState, PrintState, VisitState
from .i18n import N_

ID_NUMBER_ERRORS = {
    "format": _l("An ID number has 18 characters: 17 digits, then a digit or X. Please check it and try again."),
    "province": _l("The first two digits of this ID number are not a province code. Please check them."),
    "birth_date": _l("Digits 7 to 14 of this ID number are not a real date of birth. Please check them."),
    "check_digit": _l("This ID number does not add up: one of its digits is probably wrong. Please check it."),
}

ELIGIBILITY_REASONS = {
    "not_resident": _l(
        "This is the number of a resident of Hong Kong, Macao or Taiwan, who cannot apply for a resident ID card. "
        "Please ask at the window about the Residence Permit for Hong Kong, Macao and Taiwan Residents."
    ),
    "temporary_out_of_province": _l(
        "This station cannot issue a temporary ID card for another province. "
        "You can apply for the ID card itself here, or ask for a temporary card in your home province."
    ),
    "temporary_without_main": _l(
        "A temporary ID card is issued only while your application for the ID card itself is being "
        "handled at this station. Please apply for the ID card first (first card, renewal or "
        "replacement), then ask for the temporary card."
    ),
    "temporary_already_applied": _l(
        "You have already asked for a temporary ID card while your ID card is being made. "
        "Please ask at the window if you need help."
    ),
    "renewal_too_early": _l(
        "Your card is still valid for a while. You can renew it from %(date)s. Please come back then."
    ),
    "card_long_term": _l(
        "A long-term card does not expire, so it does not need renewing. "
        "If it is damaged or your details changed, go back and choose that instead."
    ),
}

# Why typed text was refused (kiosk.domain.fields); "missing" is said by each field in its own words.
FIELD_ERRORS = {
    "not_a_name": _l("Please use only letters: at most %(count)d."),
    "too_long": _l("This is too long: at most %(count)d characters."),
}

MOBILE_ERRORS = {
    "length": _l("A mobile number has 11 digits. Please check it."),
    "prefix": _l("A mobile number starts with 13 to 19. Please check it."),
}

# Message ids: texts to citizens name them too (kiosk.services.notifications).
MATERIAL_TEXTS = {
    "household_register": N_("Household register (hukou booklet)"),
    "old_card": N_("Your old ID card"),
    "guardian_id": N_("A parent or guardian, with their ID card"),
    "residence_proof": N_("Residence permit, or proof of work, study or home here"),
    "commitment_letter": N_("Signed commitment letter (you can sign it at the window)"),
    "photo": N_("ID photo (taken here)"),
    "exemption_certificate": N_("Certificate for the fee reduction"),
}
MATERIALS = {code: _l(text) for code, text in MATERIAL_TEXTS.items()}

SPECIAL_GROUPS = {
    "elderly": _l("Aged 70 or older"),
    "disabled": _l("Person with a disability"),
    "pregnant": _l("Pregnant"),
    "military": _l("Serving soldier or veteran"),
    "other": _l("Other special need"),
}

URGENT_REASONS = {
    "exam": _l("An exam"),
    "travel": _l("A journey or flight"),
    "medical": _l("Medical treatment"),
    "other": _l("Another urgent matter"),
}

BLOCKING_REASONS = {
    "registration_moving": _l("My household registration is being moved or corrected"),
    "records": _l("My records have a problem staff told me about"),
}

EXEMPTIONS = {
    "none": lazy_pgettext("has a certificate for a lower fee", "No"),
    "minimum_income": _l("Minimum-income household (dibao) certificate"),
    "veteran_family": _l("Entitled veteran family certificate"),
    "hardship": _l("Other hardship"),
}

NEXT_STEPS = {
    "immediate": _l("Staff will review your application by %(deadline)s. Your card will be ready by %(date)s."),
    "time_limited": _l(
        "We accept your application now. Please bring what is missing by %(deadline)s. "
        "Your card will be ready about %(date)s."
    ),
    "home_visit": _l(
        "The station calls you by %(deadline)s at the latest to arrange an officer's visit to your home. "
        "Your card will be ready about %(date)s; an officer brings it to you."
    ),
    "priority": _l("Your application is handled with priority. Your card will be ready by %(date)s."),
    "urgent": _l(
        "Your case is handled urgently and a supervisor signs it off today. Your card will be ready by %(date)s."
    ),
    "registered": _l(
        "We register your application now and staff will contact you by %(deadline)s about the next step."
    ),
    "appointment": _l("You can come at a booked time in the evening, at a weekend or on a holiday."),
}

# The same for a case made after the hall closed or on a day off: staff act at the next opening.
NEXT_STEPS_LATER = {
    "immediate": _l(
        "Staff handle your application when the hall next opens, on %(deadline)s. Your card will be ready by %(date)s."
    ),
    "urgent": _l(
        "Your case is handled urgently: a supervisor signs it off when the hall next opens, on %(deadline)s. "
        "Your card will be ready by %(date)s."
    ),
}

APPLICATION_TYPES = {
    "first": _l("First ID card"),
    "renewal_expiry": _l("Renew: my card has expired or expires soon"),
    "renewal_change": _l("Renew: my details changed or are wrong"),
    "damaged": _l("Replace a damaged card"),
    "lost": _l("Replace a lost card"),
    "temporary": _l("Temporary ID card"),
}

COMMITMENTS = {
    "immediate": _l("Complete: handled at once"),
    "time_limited": _l("Something missing: handled within a time limit"),
    "home_visit": _l("Home visit for people who cannot travel"),
    "priority": _l("Priority for special groups"),
    "urgent": _l("Urgent need: special handling"),
    "registered": _l("Registered: waiting on an outside cause"),
    "appointment": _l("Appointment outside normal hours"),
}

STATES = {
    "draft": _l("Not sent yet"),
    "submitted": _l("Received, waiting for staff"),
    "awaiting_materials": _l("Waiting for missing papers"),
    "approved": _l("Approved"),
    "verifying": _l("Being checked by your home province"),
    "in_production": _l("Card being made"),
    "ready": _l("Ready to collect"),
    "collected": _l("Collected"),
    "posted": _l("Sent by post"),
    "rejected": _l("Not approved"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
}
# A card ready for a home-visit case waits for the officer, not for the person to come: as the
# person reads it, and as staff do.
READY_BROUGHT_HOME = _l("Ready: an officer brings it to your home")
READY_FOR_THE_OFFICER = _l("Ready: an officer takes it to the person's home")


BOOKING_REFUSALS = {
    "one_per_day": _l("You already have a booking on this day. One booking per person per day."),
    "too_far": _l("That day is too far ahead. Please choose a day closer to today."),
    "past": _l("That time has already passed. Please choose another."),
    "notice": _l(
        "A booking can be changed or cancelled here only up to %(hours)d hours before its time. "
        "To change or cancel it now, please call the station on %(phone)s."
    ),
    "banned": _l(
        "Because of missed appointments, online booking is closed to you until %(date)s. "
        "You can still come to the window."
    ),
    "not_today": _l("Check-in opens an hour before your booked time and closes shortly after it."),
    "not_found": _l("We found no booking with this code. Please check it."),
    "no_visit_time": _l("No home-visit time is free on that day. Please choose another day."),
}

# What kind of service a booking time is (kiosk.domain.schedule.slot_kind); normal hours have no tag.
SLOT_KINDS = {
    "holiday": _l("public holiday"),
    "weekend": _l("weekend"),
    "evening": _l("evening"),
    "early": _l("before office hours"),
}

BOOKING_STATES = {
    BookingState.BOOKED: _l("Booked"),
    BookingState.CANCELLED: _l("Cancelled"),
    BookingState.CHECKED_IN: _l("Checked in"),
    BookingState.NO_SHOW: _l("Missed"),
}

CALENDAR_KINDS = {
    "closure": _l("Public holiday (holiday appointments only)"),
    "workday": _l("Make-up working day"),
    "closed": _l("Station closed"),
    "extra": _l("Extra session"),
}

CALENDAR_REFUSALS = {
    "kind": _l("Please choose what kind of day it is."),
    "sessions": _l("An extra session needs its times, like 19:00-21:00."),
    "official": _l("Official holidays stay in the calendar. Enter the day again to change it for this station."),
}

# Where a day of the station calendar comes from (admin/calendar.html).
CALENDAR_SOURCES = {
    "package": _l("official schedule"),
    "estimated": _l("estimated"),
    "confirmed": _l("confirmed by the station"),
    "manual": _l("this station"),
}

PRINT_KINDS = {
    "receipt": _l("Receipt"),
    "booking": _l("Booking confirmation"),
    "round": _l("Home-visit round"),
}

PRINT_STATES = {
    PrintState.QUEUED: _l("Waiting for the printer"),
    PrintState.PRINTING: _l("Printing"),
    PrintState.DONE: _l("Printed"),
    PrintState.FAILED: _l("Failed"),
}

REJECT_REASONS = {
    "identity": _l("Identity could not be confirmed"),
    "duplicate": _l("Duplicate or inconsistent registry data"),
    "not_eligible": _l("Not eligible for this type of application"),
    "materials": _l("Materials false or not supplied"),
    "other": _l("Other reason (see the note)"),
}

# Why an application was not approved and what the person can do next, as the citizen is told
# (progress page, text message): message ids, translated where they are shown or sent.
REFUSAL_EXPLANATIONS = {
    "identity": (
        N_("Identity could not be confirmed"),
        N_("Please come to the window with your household register: staff will confirm it with you."),
    ),
    "duplicate": (
        N_("The registry data are duplicated or do not agree"),
        N_("Please come to the window with your household register: staff will put the data right with you."),
    ),
    "not_eligible": (
        N_("This type of application does not fit your case"),
        N_("Please ask at the window which application fits your case."),
    ),
    "materials": (
        N_("Materials false or not supplied"),
        N_("Please apply again with true and complete materials."),
    ),
    "other": (
        N_("Another reason"),
        N_("Please call the station or come to the window: staff will explain."),
    ),
}

ESCALATION_LABELS = {
    "holder": _l("Holder alerted"),
    "supervisor": _l("Sent to the supervisor"),
    "oversight": _l("Sent to the oversight office"),
}

# What a home visit achieved (kiosk.services.visits OUTCOMES), on the record form and in the history.
VISIT_OUTCOMES = {
    "photo_taken": _l("Photo taken"),
    "materials_collected": _l("Materials collected"),
    "fee_collected": _l("Fee collected"),
    "card_handed_over": _l("Card handed over"),
    "nobody home": _l("Nobody home"),
}

ACTION_LABELS = {
    "approve": _l("Approve"),
    "request_materials": _l("Return for missing materials"),
    "supply_materials": _l("Materials supplied"),
    "reject": _l("Refuse"),
    "start_production": _l("Send to production"),
    "mark_ready": _l("Card is ready"),
    "collect": _l("Card collected"),
    "post": _l("Card posted"),
}

PACKAGE_REFUSALS = {
    "malformed": _l("This file is not a verification answer."),
    "signature": _l("Refused: the package's signature does not match its content (it may have been altered)."),
    "unknown_province": _l("Refused: no trusted key for the province that signed this package."),
    "wrong_province": _l("Refused: the answer comes from a province other than the applicant's."),
    "unknown_application": _l("Refused: no application of this station has that number."),
    "not_waiting": _l("This application is not waiting for verification."),
}

NOTIFICATION_STATES = {
    "queued": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "failed": _l("Could not be sent"),
}

VISIT_STATES = {
    VisitState.ASSIGNED: _l("Assigned"),
    VisitState.DONE: _l("Visited"),
    VisitState.NOBODY_HOME: _l("Nobody home"),
}

VALIDITIES = {
    "5y": _l("5 years"),
    "10y": _l("10 years"),
    "20y": _l("20 years"),
    "long_term": _l("Long-term (it does not expire)"),
}

OLD_CARD_FATES = {
    "at_collection": _l("Hand in your old card when you collect the new one."),
    "at_acceptance": _l(
        "Hand in your old card at the window today, before you leave. The new card is then posted to you."
    ),
    "courier": _l(
        "Sign the authorisation at the window today, and give your old card to the courier when the new card arrives."
    ),
    "at_visit": _l("Give your old card to the officer who brings the new one to your home."),
}

# What approving, making or marking a card ready waits for (kiosk.services.cases.NotReadyToProceed).
NOT_READY_BECAUSE = {
    "photo": _l("there is no photo yet (take it at the window and record it)"),
    "fee": _l("the fee is not paid yet"),
}

# The outside causes a case is registered for, as the station writes them (the kiosk's
# BLOCKING_REASONS are the citizen's own words for the same causes).
BLOCKING_REASONS_STAFF = {
    "registration_moving": _l("Household registration being moved or corrected"),
    "records": _l("A problem in the registry records"),
}

# The audit trail's events, as the case page's history names them.
EVENTS = {
    "create": _l("Application made"),
    "view": _l("Case opened"),
    "submit": _l("Submitted"),
    "request_materials": _l("Returned for missing materials"),
    "supply_materials": _l("Materials supplied"),
    "approve": _l("Approved"),
    "forward_for_verification": _l("Sent to the home province"),
    "verification_passed": _l("Confirmed by the home province"),
    "start_production": _l("Sent to production"),
    "mark_ready": _l("Card ready"),
    "collect": _l("Card collected"),
    "post": _l("Card posted"),
    "reject": _l("Refuse"),
    "withdraw": _l("Withdrawn"),
    "expire": _l("Lapsed"),
    "urgent_signed_off": _l("Urgent handling signed off"),
    "register": _l("Registered: waits on an outside cause"),
    "request_retake": _l("New photo asked for"),
    "photo_taken": _l("Photo taken at the window"),
    "fee_paid": _l("Fee paid"),
    "escalate": _l("Deadline missed: escalated"),
    "materials_reminder": _l("Citizen reminded of the materials"),
    "assign_visit": _l("Home visit assigned"),
    "record_visit": _l("Home visit recorded"),
}

# The ID photo's checks (photo.analysis) as the staff photo page names them, and the unit of each value.
PHOTO_CHECKS = {
    "face_count": (_l("Faces in the picture"), "count"),
    "face_size": (_l("Face width (pixels of the camera picture)"), "px"),
    "crown_margin": (_l("Space above the hair (pixels)"), "px"),
    "face_centre": (_l("Face centre from the left edge (pixels)"), "px"),
    "eye_line": (_l("Eye line from the top (pixels)"), "px"),
    "roll": (_l("Head tilted sideways"), "degrees"),
    "yaw": (_l("Head turned"), "degrees"),
    "background_light": (_l("Background brightness"), "percent"),
    "background_even": (_l("Uneven background"), "percent"),
    "exposure": (_l("Face brightness"), "percent"),
    "clipping": (_l("Face too dark or too bright in places"), "percent"),
    "even_lighting": (_l("Light on both sides of the face"), "ratio"),
    "sharpness": (_l("Sharpness"), "number"),
    "clothing": (_l("Clothing like the background"), "percent"),
}
