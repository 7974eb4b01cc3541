// Read an iCalendar file from standard input with ical.js (its path is the first argument)
// and print each VEVENT's UID, start and end as UTC ISO instants (dates as they are), the
// zone ical.js resolved them in, and each ATTENDEE's PARTSTAT and RSVP, as JSON.
import { pathToFileURL } from "node:url";

const ICAL = (await import(pathToFileURL(process.argv[2]).href)).default;
let text = "";
for await (const chunk of process.stdin) text += chunk;
const root = new ICAL.Component(ICAL.parse(text));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}
const when = (t) => (t.isDate ? t.toString() : t.toJSDate().toISOString());
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    start: when(event.startDate),
    end: when(event.endDate),
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    attendees: event.attendees.map((a) => ({
      address: a.getFirstValue(),
      partstat: a.getParameter("partstat") || null,
      rsvp: a.getParameter("rsvp") || null,
    })),
  };
});
console.log(JSON.stringify(events));
