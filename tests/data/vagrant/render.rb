# Renders `vagrant ssh-config` output with Vagrant's own template and renderer (the code
# `vagrant ssh-config` runs), for machines of several providers. No VM is needed.
#   ruby -I/usr/share/rubygems-integration/all/gems/vagrant-2.3.4/lib render.rb     (Debian's vagrant)
require "pathname"

# The renderer finds templates under Vagrant.source_root, which the full `vagrant`
# boot defines; here it is the gem directory holding the lib/ given with -I.
module Vagrant
  LIB = $LOAD_PATH.find { |p| File.exist?(File.join(p, "vagrant/util/template_renderer.rb")) }
  def self.source_root
    Pathname.new(LIB).parent
  end
end
require "vagrant/util/template_renderer"

def block(host, ssh_host, port, key, extra = {})
  Vagrant::Util::TemplateRenderer.render("commands/ssh_config/config", {
    host_key: host, ssh_host: ssh_host, ssh_port: port, ssh_user: "vagrant",
    keys_only: true, verify_host_key: false, private_key_path: [key],
    log_level: nil, forward_agent: false, forward_x11: false, proxy_command: nil, config: nil,
  }.merge(extra))
end

root = "/home/dev/kafka"
File.write("virtualbox.txt", (1..3).map { |i|
  block("worker#{i}", "127.0.0.1", 2221 + i, "#{root}/.vagrant/machines/worker#{i}/virtualbox/private_key")
}.join("\n"))
File.write("libvirt.txt", [3, 1, 2].map { |i|
  block("worker#{i}", "192.168.121.#{10 + i}", 22, "#{root}/.vagrant/machines/worker#{i}/libvirt/private_key",
        forward_agent: true,
        proxy_command: (i == 2 ? "ssh 'kvmhost' -l 'dev' -i '/home/dev/.ssh/id_ed25519' nc %h %p" : nil))
}.join("\n"))
spaced = "/home/dev/My Projects/kafka tests"
File.write("path-with-spaces.txt", (1..2).map { |i|
  block("worker#{i}", "127.0.0.1", 2199 + i, "#{spaced}/.vagrant/machines/worker#{i}/virtualbox/private_key",
        log_level: "ERROR", forward_x11: true)
}.join("\n"))
