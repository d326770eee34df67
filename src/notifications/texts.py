"""What the messages say, in every supported language.

German and English are the reference texts; Arabic, French, Turkish and Ukrainian
follow them. SMS texts are short on purpose: Arabic and Ukrainian need UCS-2, where
a segment holds 70 characters (67 when concatenated), and every SMS must fit two.
Dates and times are formatted by Babel for the visitor's locale, in the site's zone.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time

SUBJECTS = {
    "booked": {
        "de": "Termin bestätigt: {reference}",
        "en": "Appointment confirmed: {reference}",
        "ar": "تأكيد الموعد: {reference}",
        "fr": "Rendez-vous confirmé : {reference}",
        "tr": "Randevu onaylandı: {reference}",
        "uk": "Запис підтверджено: {reference}",
    },
    "rescheduled": {
        "de": "Termin geändert: {reference}",
        "en": "Appointment changed: {reference}",
        "ar": "تم تغيير الموعد: {reference}",
        "fr": "Rendez-vous modifié : {reference}",
        "tr": "Randevu değişti: {reference}",
        "uk": "Запис змінено: {reference}",
    },
    "cancelled": {
        "de": "Termin abgesagt: {reference}",
        "en": "Appointment cancelled: {reference}",
        "ar": "تم إلغاء الموعد: {reference}",
        "fr": "Rendez-vous annulé : {reference}",
        "tr": "Randevu iptal edildi: {reference}",
        "uk": "Запис скасовано: {reference}",
    },
    "withdrawn": {
        "de": "Termin entfällt: {reference}",
        "en": "Appointment no longer possible: {reference}",
        "ar": "الموعد لم يعد ممكنًا: {reference}",
        "fr": "Rendez-vous supprimé : {reference}",
        "tr": "Randevu yapılamayacak: {reference}",
        "uk": "Запис неможливий: {reference}",
    },
    "reminder": {
        "de": "Erinnerung an Ihren Termin: {reference}",
        "en": "Reminder of your appointment: {reference}",
        "ar": "تذكير بموعدك: {reference}",
        "fr": "Rappel de votre rendez-vous : {reference}",
        "tr": "Randevu hatırlatması: {reference}",
        "uk": "Нагадування про запис: {reference}",
    },
}

# The first line of the e-mail, after the greeting.
LEADS = {
    "booked": {
        "de": "Ihr Termin ist gebucht.",
        "en": "Your appointment is booked.",
        "ar": "تم حجز موعدك.",
        "fr": "Votre rendez-vous est réservé.",
        "tr": "Randevunuz alındı.",
        "uk": "Ваш запис зроблено.",
    },
    "rescheduled": {
        "de": "Ihr Termin wurde geändert. Es gilt jetzt:",
        "en": "Your appointment has changed. It is now:",
        "ar": "تم تغيير موعدك. الموعد الجديد:",
        "fr": "Votre rendez-vous a changé. Nouveau créneau :",
        "tr": "Randevunuz değişti. Yeni randevu:",
        "uk": "Ваш запис змінено. Тепер:",
    },
    "cancelled": {
        "de": "Ihr Termin ist abgesagt.",
        "en": "Your appointment is cancelled.",
        "ar": "تم إلغاء موعدك.",
        "fr": "Votre rendez-vous est annulé.",
        "tr": "Randevunuz iptal edildi.",
        "uk": "Ваш запис скасовано.",
    },
    "withdrawn": {
        "de": "Leider kann Ihr Termin nicht stattfinden. Bitte buchen Sie einen neuen.",
        "en": "Sadly your appointment cannot take place. Please book a new one.",
        "ar": "للأسف لا يمكن عقد موعدك. يرجى حجز موعد جديد.",
        "fr": "Votre rendez-vous ne peut malheureusement pas avoir lieu. Merci d'en réserver un autre.",
        "tr": "Maalesef randevunuz gerçekleşemiyor. Lütfen yeni bir randevu alın.",
        "uk": "На жаль, ваш запис не відбудеться. Будь ласка, запишіться знову.",
    },
    "reminder": {
        "de": "Wir erinnern Sie an Ihren Termin:",
        "en": "A reminder of your appointment:",
        "ar": "نذكرك بموعدك:",
        "fr": "Nous vous rappelons votre rendez-vous :",
        "tr": "Randevunuzu hatırlatırız:",
        "uk": "Нагадуємо про ваш запис:",
    },
}

GREETING = {
    "de": "Guten Tag {name},",
    "en": "Hello {name},",
    "ar": "مرحبًا {name}،",
    "fr": "Bonjour {name},",
    "tr": "Merhaba {name},",
    "uk": "Вітаємо, {name}!",
}

MANAGE = {
    "de": "Ansehen, verschieben oder absagen:",
    "en": "View, change or cancel:",
    "ar": "للعرض أو التغيير أو الإلغاء:",
    "fr": "Voir, modifier ou annuler :",
    "tr": "Görüntüle, değiştir veya iptal et:",
    "uk": "Переглянути, змінити або скасувати:",
}

REFERENCE = {
    "de": "Buchungsnummer",
    "en": "Reference",
    "ar": "رقم الحجز",
    "fr": "Référence",
    "tr": "Rezervasyon no",
    "uk": "Номер запису",
}

# SMS: {what} is the short kind word, then reference, first start, link.
SMS_WORD = {
    "booked": {
        "de": "Termin",
        "en": "Booked",
        "ar": "موعد",
        "fr": "RDV",
        "tr": "Randevu",
        "uk": "Запис",
    },
    "rescheduled": {
        "de": "Geändert",
        "en": "Changed",
        "ar": "تغيير",
        "fr": "Modifié",
        "tr": "Değişti",
        "uk": "Змінено",
    },
    "cancelled": {
        "de": "Abgesagt",
        "en": "Cancelled",
        "ar": "إلغاء",
        "fr": "Annulé",
        "tr": "İptal",
        "uk": "Скасовано",
    },
    "withdrawn": {
        "de": "Entfällt",
        "en": "Cancelled by office",
        "ar": "ألغي",
        "fr": "Annulé",
        "tr": "İptal",
        "uk": "Скасовано",
    },
    "reminder": {
        "de": "Erinnerung",
        "en": "Reminder",
        "ar": "تذكير",
        "fr": "Rappel",
        "tr": "Hatırlatma",
        "uk": "Нагадування",
    },
}


def pick(table: dict[str, str], language: str) -> str:
    return table.get(language) or table["en"]


def when(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """E.g. 'Mittwoch, 2. Dezember 2026, 09:30', in the locale's own order."""
    local = moment.astimezone(tz)
    day = format_date(local.date(), "full", locale=language)
    return f"{day}, {format_time(local, 'short', locale=language)}"


def when_short(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """E.g. 'Mi., 2.12., 09:30': the locale's own short form, for SMS."""
    local = moment.astimezone(tz)
    day = format_skeleton("MMMEd", local, tzinfo=tz, locale=language)
    return f"{day} {format_time(local, 'short', locale=language)}"
