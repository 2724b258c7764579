'use strict';
// The alternative users compare against: the webhook endpoint as Clerk's guide for Express
// shows it (express.raw for the exact bytes, svix's Webhook.verify on them, 200 once verified).
// Plain CommonJS run by plain node, like a deployed Express app. It prints one line when it
// listens so the bench can send the first request as soon as it can be served.
const express = require('express');
const { Webhook } = require('svix');

const app = express();

app.post('/api/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  const SIGNING_SECRET = process.env.SIGNING_SECRET;
  if (!SIGNING_SECRET) {
    throw new Error('Error: Please add SIGNING_SECRET from Clerk Dashboard to .env');
  }
  const wh = new Webhook(SIGNING_SECRET);
  const headers = req.headers;
  const payload = req.body;

  const svix_id = headers['svix-id'];
  const svix_timestamp = headers['svix-timestamp'];
  const svix_signature = headers['svix-signature'];
  if (!svix_id || !svix_timestamp || !svix_signature) {
    return void res.status(400).json({ success: false, message: 'Error: Missing svix headers' });
  }

  let evt;
  try {
    evt = wh.verify(payload, {
      'svix-id': svix_id,
      'svix-timestamp': svix_timestamp,
      'svix-signature': svix_signature,
    });
  } catch (err) {
    console.log('Error: Could not verify webhook:', err.message);
    return void res.status(400).json({ success: false, message: err.message });
  }

  const { id } = evt.data;
  const eventType = evt.type;
  // The guide also logs the whole payload; left out here, as it is personal data.
  console.log(`Received webhook with ID ${id} and event type of ${eventType}`);

  return void res.status(200).json({ success: true, message: 'Webhook received' });
});

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
