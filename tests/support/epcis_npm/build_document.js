// An independent EPCIS 2.0 producer: builds a document with GS1-community epcis2.js and prints its JSON.
// argv: lot URI, read point, event times (ISO 8601, one event each).
const { EPCISDocument, ObjectEvent, QuantityElement, ReadPoint, setup } = require('epcis2.js');

setup({ eventTimeZoneOffset: '+08:00', documentValidation: true });
const [lotUri, readPoint, ...times] = process.argv.slice(2);
const document = new EPCISDocument();
times.forEach((time, index) => {
  const event = new ObjectEvent()
    .setEventTime(time)
    .setEventTimeZoneOffset('+08:00')
    .setAction('OBSERVE')
    .setBizStep(index % 2 === 0 ? 'storing' : 'inspecting')
    .setDisposition('sellable_not_accessible')
    .setReadPoint(new ReadPoint().setId(readPoint))
    .addQuantity(new QuantityElement().setEpcClass(lotUri).setQuantity(8000).setUom('KGM'));
  document.addEvent(event);
});
document.setCreationDate(times[0]);
if (!document.isValid()) throw new Error('epcis2.js says its own document is invalid');
process.stdout.write(JSON.stringify(document.toObject()));
