"""Salesforce as a destination (and, through the same client, as a model source).

client.py talks REST on the org's instance_url; options.py holds the connection's and a
target's settings; describe.py turns sObject Describe into target fields; write.py plans a
write and sends it through sObject Collections (collections.py) or Bulk API 2.0 (bulk.py);
matching.py finds records by identity with SOQL; soql.py reads and quotes SOQL text.
Facts: reference/destination-apis.md §4; docs: https://developer.salesforce.com/docs/apis
"""
