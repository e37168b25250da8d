"""Writes the sample exports of this folder (see README.md): rows typed by hand, saved in the
encoding, delimiter or workbook format each tool gives.

    python tests/data/exports/make_exports.py
"""

import codecs
import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

D = Path(__file__).resolve().parent

def text(rows, delim=","):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()

eventbrite = [
 ["Order #","Order Date","First Name","Last Name","Email","Quantity","Ticket Type","Attendee #","Job Title","Company","Cell Phone","What does your business do?","Who would you like to meet?","Attendee Status"],
 ["4410293811","2026-11-02 09:14:55","Maria","Gonzalez","maria@gonzalezbooks.example.com","1","General Admission","5520193001","Owner","Gonzalez Bookkeeping","+1 512 555 0142","Monthly bookkeeping and payroll for restaurants and food trucks in Austin","restaurant owners; a commercial insurance broker; a point-of-sale vendor","Attending"],
 ["4410293812","2026-11-02 11:40:03","Dev","Patel","Dev.Patel@BrightPathHR.example.com","1","General Admission","5520193002","Founder","BrightPath HR","","HR consulting and employee handbooks for companies with 10 to 50 staff","founders who just hired their tenth employee, employment lawyers, and payroll providers","Attending"],
 ["4410293813","2026-11-03 18:02:10","James","O'Connor","james@oconnorlaw.example.com","2","Early Bird","5520193003","Partner","O'Connor Law PLLC","+1 512 555 0177","Estate planning and wills for blended families","financial advisors\nCPAs who serve retirees","Attending"],
 ["4410293813","2026-11-03 18:02:10","Lin","Chen","lin.chen@hillcountryhomes.example.com","2","Early Bird","5520193004","Realtor","Hill Country Homes","","Residential real estate for first-time buyers in Round Rock","mortgage brokers, home inspectors, and relocation managers at large employers","Attending"],
]
(D / "eventbrite_attendees.csv").write_text(text(eventbrite), encoding="utf-8", newline="")

meetup = [
 ["Name","Member ID","Title","Location","Joined Group on","Last visited group on","Last Attended","Total RSVPs","Intro","What do you do?","Who are you hoping to meet?","URL of Member Profile"],
 ["José Álvarez","201934877","","Austin, TX","2024-03-11","2026-11-20","2026-10-15","14","Coffee nerd, dad of two","I run a small commercial cleaning company for offices and clinics","office managers; property managers","https://www.meetup.com/members/201934877/"],
 ["Zoë Park","287110452","Co-organizer","Pflugerville, TX","2025-01-07","2026-11-28","2026-11-12","22","","Brand photography and headshots for realtors and coaches","realtors who need listing photos; business coaches","https://www.meetup.com/members/287110452/"],
 ["Sam Okafor","312004981","","Austin, TX","2026-06-30","2026-11-29","","1","New in town!","Mobile app development for local service businesses","plumbers and HVAC owners who want online booking","https://www.meetup.com/members/312004981/"],
]
# Excel's "Unicode Text": UTF-16 little-endian with a BOM, tab separated
(D / "meetup_members.txt").write_bytes(codecs.BOM_UTF16_LE + text(meetup, "\t").encode("utf-16-le"))

forms = [
 ["Timestamp","Email Address","Full name","Company","Job title","What does your business do?","How can you help other members?","Who would you like to meet?","Phone number","LinkedIn profile"],
 [dt.datetime(2026,11,20,14,3,11),"priya@ledgerlite.example.com","Priya Raman","LedgerLite","Fractional CFO","Fractional CFO services for seed-stage SaaS startups","cash-flow forecasts; fundraising models; board decks","SaaS founders about to raise a seed round\nstartup lawyers","+1 737 555 0190","https://www.linkedin.com/in/priya-raman-example"],
 [dt.datetime(2026,11,21,8,45,0),"tom@greenthumb.example.com","Tom Becker","Green Thumb Landscaping","Owner","Commercial landscaping and grounds maintenance for office parks","seasonal planting, irrigation repair, and snow removal","property managers, HOA boards, and facilities directors",5125550133,""],
]
wb = Workbook()
ws = wb.active
ws.title = "Form Responses 1"
for r in forms:
    ws.append(r)
wb.save(D / "google_forms_responses.xlsx")

typeform = [
 ["#","What's your name?","What's your email address?","What's your company name?","What do you do for a living?","What can you offer other members?","Who are you looking for?","Start Date (UTC)","Submit Date (UTC)","Network ID"],
 ["b7x2k9q1m3","Hannah Schultz","hannah@schultzdesign.example.com","Schultz Design Studio","Interior design for dental and medical offices","space planning; furniture sourcing","dentists opening a second office; commercial contractors","2026-11-18 10:01:44","2026-11-18 10:04:12","f3a91c07d2"],
 ["c1m8v4z7p0","Marcus Reed","marcus@reedsecurity.example.com","Reed Security Systems","Access control and camera systems for small warehouses","free site surveys","warehouse owners, logistics managers, and commercial property brokers","2026-11-19 16:22:05","2026-11-19 16:25:51","0b77e2a4c9"],
]
(D / "typeform_responses.csv").write_text(text(typeform), encoding="utf-8", newline="")

salesforce = [
 ["Contact ID","First Name","Last Name","Title","Account Name","Email","Phone","Mobile","Mailing City","Mailing State/Province","Mailing Country","Description","Lead Source"],
 ["0035g00000XyZ1aAAB","Renée","Dubois","Gérante","Café Lumière","renee@cafelumiere.example.com","+33 4 72 00 11 22","","Lyon","Auvergne-Rhône-Alpes","France","Specialty coffee roasting and wholesale for cafés and offices (from 12 € per kilo)","Trade Show"],
 ["0035g00000XyZ2bAAB","François","Martin","Directeur","Martin Conseil","francois@martinconseil.example.com","","+33 6 12 34 56 78","Villeurbanne","","France","Export consulting for French food producers entering North America","Web"],
 ["0035g00000XyZ3cAAB","Aoife","Byrne","Founder","Byrne Translations","aoife@byrnetranslations.example.com","+353 1 555 0101","","Dublin","","Ireland","Legal and technical translation French and German into English","Referral"],
]
# European Excel "CSV": Windows-1252, semicolon separated
(D / "salesforce_contacts.csv").write_bytes(text(salesforce, ";").encode("cp1252"))

host = (
 " Name ,Business,What they do,Looking for,email,Phone #,Notes,,\r\n"
 "Carla Mendes,Mendes Tax,\"Tax returns for nurses, teachers and other W-2 employees\",\"bookkeeping, payroll, and tax filing partners\",carla@mendestax.example.com,512-555-0110,sat near the door last time,,\r\n"
 ",,,,,,,,\r\n"
 "Ben  Ito ,Ito Plumbing,Residential plumbing repairs in north Austin,property managers;realtors,,512-555-0111,,,\r\n"
 "Dana Whitfield,,Career coaching for engineers moving into management,HR directors,dana.w@example.com,,prefers email,,\r\n"
)
(D / "host_spreadsheet.csv").write_bytes(codecs.BOM_UTF8 + host.encode("utf-8"))
