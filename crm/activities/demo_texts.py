"""Texts for demo contacts: subjects per kind, notes, outcomes, next steps, visit reports."""

SUBJECTS = {
    "call": [
        "Erstgespräch Weiterbildungsbedarf",
        "Rückruf wegen Seminarangebot",
        "Terminabstimmung Besuch",
        "Nachfrage zum Angebot",
        "Kurzes Telefonat mit der Geschäftsführung",
        "Rückfrage Fördermöglichkeiten",
        "Telefonat zur Azubi-Qualifizierung",
        "Nachfassen nach Veranstaltung",
        "Info zu neuen Kursterminen",
        "Absprache Teilnehmendenzahl",
    ],
    "visit": [
        "Besuch im Betrieb",
        "Betriebsbesichtigung und Bedarfsgespräch",
        "Vor-Ort-Termin mit Geschäftsführung",
        "Besuch mit Türöffner",
        "Jahresgespräch",
        "Vorstellung Weiterbildungsverbund",
    ],
    "email": [
        "Angebot per E-Mail verschickt",
        "Unterlagen zum Förderprogramm gesendet",
        "Terminbestätigung",
        "Einladung zum Unternehmerfrühstück",
        "Rückmeldung zum Kursprogramm",
        "Teilnahmebescheinigungen verschickt",
    ],
    "event": [
        "Gespräch beim Unternehmerfrühstück",
        "Kontakt auf der Ausbildungsmesse",
        "Netzwerkabend Wirtschaftsförderung",
        "Infoveranstaltung Digitalisierung",
        "Stammtisch Wirtschaftsjunioren",
    ],
    "letter": [
        "Anschreiben mit Kursprogramm",
        "Einladung zur Mitgliederversammlung",
        "Weihnachtsgruß mit Jahresprogramm",
        "Informationsbrief Förderung § 82 SGB III",
    ],
    "online_meeting": [
        "Videocall zur Bedarfsklärung",
        "Online-Abstimmung Schulungsplan",
        "Teams-Termin mit Personalverantwortlicher",
        "Online-Präsentation Blended-Learning-Angebot",
    ],
}

NOTES = [
    "Interesse an Schulungen für die Mitarbeitenden in der Produktion.",
    "Geschäftsführer hat wenig Zeit, bevorzugt kurze Telefonate am Vormittag.",
    "Betrieb sucht dringend Fachkräfte, Weiterbildung der eigenen Leute ist Thema.",
    "Budget für dieses Jahr bereits verplant, nächstes Jahr wieder ansprechen.",
    "Sehr offenes Gespräch, Interesse an Inhouse-Schulung.",
    "Hat über die Kammer von uns gehört.",
    "Zwei Auszubildende sollen eine Zusatzqualifikation bekommen.",
    "Digitalisierung der Auftragsabwicklung steht an, Schulungsbedarf im Büro.",
    "Ansprechpartnerin wechselt zum Quartalsende, Nachfolge klären.",
    "Wünscht Unterlagen per Post, keine E-Mails.",
]

OUTCOMES = [
    "Termin für Bedarfsanalyse vereinbart.",
    "Angebot erwünscht.",
    "Kein aktueller Bedarf.",
    "Meldet sich nach Rücksprache intern.",
    "Zwei Teilnehmende angemeldet.",
    "Unterlagen werden geprüft.",
    "Positives Feedback zum letzten Kurs.",
]

NEXT_STEPS = [
    "Angebot schicken",
    "In zwei Wochen nachfassen",
    "Termin vor Ort vereinbaren",
    "Unterlagen zur Förderung senden",
    "Zur nächsten Veranstaltung einladen",
    "Rückruf abwarten",
]

REPORT_PARTICIPANTS = [
    "Geschäftsführer, Meister aus der Fertigung",
    "Inhaberin und Büroleitung",
    "Personalverantwortliche, Ausbildungsleiter",
    "Geschäftsführung, Berater der Wirtschaftsförderung",
]

REPORT_TOPICS = [
    "Fachkräftesicherung, Qualifizierung an- und ungelernter Beschäftigter, Fördermöglichkeiten.",
    "Digitalisierung im Büro, Schulung zur neuen Software, Datenschutz.",
    "Führungskräfteentwicklung für die zweite Ebene, Nachfolgeplanung.",
    "Arbeitssicherheit, Unterweisungen, Staplerschein für drei Beschäftigte.",
    "Deutschkurse für neue Mitarbeitende, Onboarding.",
]

REPORT_IMPRESSIONS = [
    "Moderner Betrieb, gutes Betriebsklima, klarer Wille zur Weiterbildung.",
    "Sehr ausgelastet, Weiterbildung muss in ruhige Monate fallen.",
    "Skeptisch gegenüber Online-Formaten, Präsenz vor Ort bevorzugt.",
    "Geschäftsführung sehr interessiert, Belegschaft wird einbezogen.",
]

FOLLOW_UPS = [
    "Nachfassen: Angebot",
    "Rückruf Geschäftsführung",
    "Termin für Bedarfsanalyse abstimmen",
    "Förderantrag besprechen",
    "Einladung zur Veranstaltung schicken",
    "Teilnehmerliste anfragen",
    "Feedback zum Kurs einholen",
]

NEEDS_NOTES = [
    "Schulungen möglichst in den Wintermonaten.",
    "Zusammenarbeit mit Nachbarbetrieben denkbar (Verbundschulung).",
    "Förderung nach § 82 SGB III prüfen.",
    "Kleingruppen bis sechs Personen gewünscht.",
]
